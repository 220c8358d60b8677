-- Several nodes may share one database (PostgreSQL): a run names the node that ran it, so status can say which
-- node polled last and the abandoned-run sweep closes only its own node's runs. NULL for rows from before.
ALTER TABLE job_runs ADD COLUMN node TEXT NULL;
