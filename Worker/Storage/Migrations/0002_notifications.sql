-- The notification outbox. One row per message (a signal, or a per-article prediction digest), with its body
-- frozen at creation so every retry sends the same bytes under the same idempotency key (and the same signature);
-- one delivery row per (message, channel) so a message the webhook took but Telegram did not retries only Telegram.

CREATE TABLE notifications (
    id               INTEGER NOT NULL PRIMARY KEY,
    kind             TEXT    NOT NULL CHECK (kind IN ('signal', 'prediction')),
    signal_id        INTEGER NULL UNIQUE REFERENCES signals (id),
    article_id       TEXT    NULL UNIQUE REFERENCES news_articles (id),
    idempotency_key  TEXT    NOT NULL UNIQUE,          -- sent as Idempotency-Key; never changes across retries or restarts
    payload          TEXT    NOT NULL,                 -- the webhook's JSON body, byte for byte
    text             TEXT    NOT NULL,                 -- the Telegram message
    created_at       TEXT    NOT NULL,                 -- when the source was created: the delivery order
    status           TEXT    NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed', 'skipped')),
    notified_at      TEXT    NULL,                     -- first successful delivery on any channel
    completed_at     TEXT    NULL,                     -- when it left 'pending'
    CHECK ((kind = 'signal') = (signal_id IS NOT NULL) AND (kind = 'prediction') = (article_id IS NOT NULL))
) STRICT;

CREATE INDEX ix_notifications_pending ON notifications (created_at, id) WHERE status = 'pending';
CREATE INDEX ix_notifications_completed ON notifications (status, completed_at);

CREATE TABLE deliveries (
    notification_id  INTEGER NOT NULL REFERENCES notifications (id),
    channel          TEXT    NOT NULL CHECK (channel IN ('webhook', 'telegram')),
    status           TEXT    NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed', 'skipped')),
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  TEXT    NULL,                     -- NULL: due now
    last_error       TEXT    NULL,
    delivered_at     TEXT    NULL,
    PRIMARY KEY (notification_id, channel)
) STRICT;

CREATE INDEX ix_deliveries_pending ON deliveries (channel, notification_id) WHERE status = 'pending';
