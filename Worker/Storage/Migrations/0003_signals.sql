-- Signals that explain themselves. Written by Signals/ (SignalStore) in the same transaction as the signal row.
--   name         the company name beside the code (portfolio, screener or news sentiment; NULL when none was known)
--   reversal_of  the opposite signal for the same ticker, inside the dedup window, that this one reverses; NULL otherwise
--   reversal     1 when reversal_of is set: a flag that reads well in sqlite3 and in a WHERE clause
--   details      the evidence as one JSON document, frozen when the signal is made: the votes (model, article,
--                direction, impact, confidence, weight, reasoning excerpt) and the articles (id, title, url,
--                published and arrival times). JSON rather than child tables: it is written once, never updated,
--                always read whole (the message, `Worker signals`), and sqlite3 unpacks it with json_each.

ALTER TABLE signals ADD COLUMN name TEXT NULL;
ALTER TABLE signals ADD COLUMN reversal INTEGER NOT NULL DEFAULT 0 CHECK (reversal IN (0, 1));
ALTER TABLE signals ADD COLUMN reversal_of INTEGER NULL REFERENCES signals (id);
ALTER TABLE signals ADD COLUMN details TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(details));

-- `Worker signals` and the heartbeat read one KST day (a UTC range) at a time.
CREATE INDEX ix_signals_created ON signals (created_at);

-- The consensus reads the votes on articles by their arrival (created_at), every minute: without this index, a scan of
-- every article ever ingested.
CREATE INDEX ix_news_articles_created ON news_articles (created_at) WHERE ticker IS NOT NULL;
