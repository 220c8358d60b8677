-- Times are UTC ISO-8601 text (see UtcTimeHandlers); names of tables and columns are a contract: operators query them.
--
-- Who writes what (one owner per table; where a second feature writes columns, they are named). Later migrations
-- add columns and tables; their writers are listed here too, so this is the one map of the schema's owners:
--   news_articles   Ingest/ArticleIngest inserts the article columns (once per upstream id);
--                   Predictions/PredictionStore sets predicted_at; Notify/Outbox/MessageSettlement sets notified_at.
--   predictions     Predictions/PredictionStore (0004 adds normalised: what the tolerant reader repaired).
--   model_usage     Predictions/PredictionStore (the daily budget's ledger, read by Predictions/UsageLedger).
--   model_settings  Predictions/OpenAi/ModelSettingsStore (0004: the negotiated response format and temperature).
--   signals         Signals/SignalStore inserts the signal with its name, reversal and details (0003);
--                   Notify/Outbox/MessageSettlement writes the delivery columns (status, notified_at, attempts,
--                   next_attempt_at, last_error) from the outbox's own tables.
--   signal_dedup    Signals/SignalStore, in the same transaction as the signal.
--   snapshots       StockApi/SnapshotStore (a cycle's fetches in one transaction, pruned by the poll stage);
--                   read by Replay/RecordingExporter.
--   job_runs        Scheduling/JobRunRecorder; Scheduling/AbandonedRunSweeper closes a dead process's runs (0006).
--   notifications   Notify/Outbox/OutboxIntake queues; Notify/Outbox/MessageSettlement settles (0002, rebuilt in 0005).
--   deliveries      Notify/Outbox/DeliveryClaims claims and records attempts (0002, rebuilt in 0005 with leases).
--   notify_channels Notify/Outbox/ChannelStates (0005: a channel disabled by a 410 or blocked by 401/403/404).

CREATE TABLE news_articles (
    id            TEXT    NOT NULL PRIMARY KEY,     -- the upstream id: ingestion dedups on it
    ticker        TEXT    NULL,                      -- NULL: kept, never predicted
    title         TEXT    NOT NULL,
    summary       TEXT    NULL,
    source        TEXT    NULL,
    url           TEXT    NULL,
    published_at  TEXT    NOT NULL,
    sentiment     REAL    NULL,
    created_at    TEXT    NOT NULL,
    predicted_at  TEXT    NULL,
    notified_at   TEXT    NULL
) STRICT;

CREATE INDEX ix_news_articles_pending ON news_articles (published_at DESC)
    WHERE predicted_at IS NULL AND ticker IS NOT NULL;
CREATE INDEX ix_news_articles_ticker ON news_articles (ticker, published_at);

CREATE TABLE predictions (
    id            INTEGER NOT NULL PRIMARY KEY,
    article_id    TEXT    NOT NULL REFERENCES news_articles (id),
    model_id      TEXT    NOT NULL,
    status        TEXT    NOT NULL CHECK (status IN ('ok', 'failed', 'skipped')),
    direction     TEXT    NULL CHECK (direction IN ('up', 'down', 'neutral')),
    impact        TEXT    NULL CHECK (impact IN ('high', 'medium', 'low')),
    confidence    REAL    NULL CHECK (confidence BETWEEN 0 AND 1),
    reasoning     TEXT    NULL,
    latency_ms    INTEGER NULL,
    tokens_in     INTEGER NULL,
    tokens_out    INTEGER NULL,
    cost          REAL    NULL,
    error         TEXT    NULL,                      -- why it failed or was skipped
    attempts      INTEGER NOT NULL DEFAULT 0,
    created_at    TEXT    NOT NULL,
    updated_at    TEXT    NOT NULL,
    UNIQUE (article_id, model_id)
) STRICT;

CREATE INDEX ix_predictions_updated ON predictions (updated_at);

CREATE TABLE signals (
    id               INTEGER NOT NULL PRIMARY KEY,
    ticker           TEXT    NOT NULL,
    action           TEXT    NOT NULL CHECK (action IN ('buy', 'sell')),
    score            REAL    NOT NULL,
    confidence       REAL    NOT NULL,
    reason           TEXT    NOT NULL,
    created_at       TEXT    NOT NULL,
    status           TEXT    NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
    notified_at      TEXT    NULL,
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  TEXT    NULL,
    last_error       TEXT    NULL
) STRICT;

CREATE INDEX ix_signals_ticker_action ON signals (ticker, action, created_at);
CREATE INDEX ix_signals_pending ON signals (id) WHERE status = 'pending';

CREATE TABLE signal_dedup (
    ticker      TEXT NOT NULL,
    action      TEXT NOT NULL CHECK (action IN ('buy', 'sell')),
    last_sent   TEXT NOT NULL,
    confidence  REAL NOT NULL,
    PRIMARY KEY (ticker, action)
) STRICT;

CREATE TABLE snapshots (
    id            INTEGER NOT NULL PRIMARY KEY,
    endpoint      TEXT    NOT NULL,
    fetched_at    TEXT    NOT NULL,
    http_status   INTEGER NULL,                      -- NULL when no answer came (timeout, connection failure)
    latency_ms    INTEGER NOT NULL,
    payload       TEXT    NULL,
    error         TEXT    NULL,
    served_stale  INTEGER NOT NULL DEFAULT 0 CHECK (served_stale IN (0, 1))
) STRICT;

CREATE INDEX ix_snapshots_fetched ON snapshots (fetched_at);

CREATE TABLE job_runs (
    id           INTEGER NOT NULL PRIMARY KEY,
    job          TEXT    NOT NULL,
    fire_time    TEXT    NOT NULL,
    started_at   TEXT    NOT NULL,
    finished_at  TEXT    NULL,
    status       TEXT    NOT NULL CHECK (status IN ('running', 'ok', 'partial', 'failed', 'cancelled')),
    items        INTEGER NOT NULL DEFAULT 0,
    error        TEXT    NULL
) STRICT;

CREATE INDEX ix_job_runs_job_started ON job_runs (job, started_at);

CREATE TABLE model_usage (
    day       TEXT    NOT NULL,                      -- KST date, yyyy-MM-dd
    model_id  TEXT    NOT NULL,
    calls     INTEGER NOT NULL DEFAULT 0,
    failures  INTEGER NOT NULL DEFAULT 0,
    tokens    INTEGER NOT NULL DEFAULT 0,
    cost      REAL    NOT NULL DEFAULT 0,
    PRIMARY KEY (day, model_id)
) STRICT;
