-- Prediction models: what a model was asked for after negotiation, and how an answer was repaired.

-- What a provider refused and we stepped down from, kept so a restart does not rediscover it with failed calls.
-- Written by Predictions/ (ModelSettingsStore); one row per configured model id that ever stepped down.
CREATE TABLE model_settings (
    model_id             TEXT    NOT NULL PRIMARY KEY,
    response_format      TEXT    NOT NULL CHECK (response_format IN ('json_schema', 'json_object', 'none')),
    temperature_dropped  INTEGER NOT NULL DEFAULT 0 CHECK (temperature_dropped IN (0, 1)),
    reason               TEXT    NULL,                  -- the provider's own message that caused the last step
    updated_at           TEXT    NOT NULL
) STRICT;

-- NULL: the answer was read as sent. Otherwise what the tolerant reader changed ("fence; label positive→up").
ALTER TABLE predictions ADD COLUMN normalised TEXT NULL;

-- 1 when the row's last failure was transient (HTTP 5xx or 429, a timeout, a refused connection): such a failure
-- does not count against Predictions:MaxAttempts, and the pair is retried until its article is older than
-- Predictions:MaxAge. 0 for every other row.
ALTER TABLE predictions ADD COLUMN transient INTEGER NOT NULL DEFAULT 0 CHECK (transient IN (0, 1));
