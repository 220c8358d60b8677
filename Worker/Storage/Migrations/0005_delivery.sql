-- Delivery that neither loses nor doubles a message. Written by the notification feature (Notify/).
--
-- notifications and deliveries are rebuilt to add the 'expired' status (a CHECK cannot be widened in place) and
-- their new columns. The order keeps every foreign key satisfied at every step, so the rebuild runs inside the
-- migration's transaction with foreign keys on: the child table (deliveries) is set aside and dropped first, then
-- the parent is rebuilt, then the child is put back.

CREATE TABLE deliveries_copy AS SELECT * FROM deliveries;
DROP TABLE deliveries;

CREATE TABLE notifications_v3 (
    id               INTEGER NOT NULL PRIMARY KEY,
    kind             TEXT    NOT NULL CHECK (kind IN ('signal', 'prediction')),
    signal_id        INTEGER NULL UNIQUE REFERENCES signals (id),
    article_id       TEXT    NULL UNIQUE REFERENCES news_articles (id),
    idempotency_key  TEXT    NOT NULL UNIQUE,          -- sent as webhook-id and Idempotency-Key; never changes
    payload          TEXT    NOT NULL,                 -- the webhook's JSON body, byte for byte (what the signature covers)
    text             TEXT    NOT NULL,                 -- the Telegram message
    created_at       TEXT    NOT NULL,                 -- when the source was created: the delivery order
    status           TEXT    NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed', 'skipped', 'expired')),
    notified_at      TEXT    NULL,                     -- first successful delivery on any channel
    completed_at     TEXT    NULL,                     -- when it left 'pending'
    expires_at       TEXT    NULL,                     -- not sent after this (a signal: the end of its day's post-market window); NULL: never
    CHECK ((kind = 'signal') = (signal_id IS NOT NULL) AND (kind = 'prediction') = (article_id IS NOT NULL))
) STRICT;

INSERT INTO notifications_v3 (id, kind, signal_id, article_id, idempotency_key, payload, text, created_at, status, notified_at, completed_at)
SELECT id, kind, signal_id, article_id, idempotency_key, payload, text, created_at, status, notified_at, completed_at FROM notifications;
DROP TABLE notifications;
ALTER TABLE notifications_v3 RENAME TO notifications;

CREATE INDEX ix_notifications_pending ON notifications (created_at, id) WHERE status = 'pending';
CREATE INDEX ix_notifications_completed ON notifications (status, completed_at);

CREATE TABLE deliveries (
    notification_id  INTEGER NOT NULL REFERENCES notifications (id),
    channel          TEXT    NOT NULL CHECK (channel IN ('webhook', 'telegram')),
    status           TEXT    NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed', 'skipped', 'expired')),
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  TEXT    NULL,                     -- NULL: due now
    last_error       TEXT    NULL,
    delivered_at     TEXT    NULL,
    lease_owner      TEXT    NULL,                     -- the process sending it now (host:pid:run)
    lease_until      TEXT    NULL,                     -- its claim ends here; after that another process may take it over
    PRIMARY KEY (notification_id, channel)
) STRICT;

INSERT INTO deliveries (notification_id, channel, status, attempts, next_attempt_at, last_error, delivered_at)
SELECT notification_id, channel, status, attempts, next_attempt_at, last_error, delivered_at FROM deliveries_copy;
DROP TABLE deliveries_copy;

CREATE INDEX ix_deliveries_pending ON deliveries (channel, notification_id) WHERE status = 'pending';

-- One row per channel that has answered something other than success or a transient failure.
--   disabled:  410 Gone. Nothing is sent until the channel's address changes (target differs) or `Worker notify resume`.
--   blocked:   401/403/404. Messages wait; the channel is probed again at retry_at.
--   held:      429 or a Retry-After. Nothing is sent before retry_at.
CREATE TABLE notify_channels (
    channel          TEXT    NOT NULL PRIMARY KEY CHECK (channel IN ('webhook', 'telegram')),
    state            TEXT    NOT NULL CHECK (state IN ('active', 'disabled', 'blocked', 'held')),
    reason           TEXT    NULL,
    target           TEXT    NULL,                     -- SHA-256 of the address the state was recorded for (never the address: it may hold a token)
    since            TEXT    NOT NULL,
    retry_at         TEXT    NULL
) STRICT;
