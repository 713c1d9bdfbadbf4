-- Issue #16: findings as spans. A control run at L fails 10^5 assets and a scheduler runs
-- every control every round; one row per failing asset per run wrote ~60 MB per full run and
-- made recording the run its slowest part. A span is one asset failing (or excepted) one
-- control over consecutive decided (pass or fail) runs: opened by the first run that reported
-- it, closed by the first decided run that no longer did (NULL while it still fails). The
-- findings of decided run R are the spans of its control with opened_run_id <= R and
-- (closed_run_id IS NULL OR closed_run_id > R); a run whose findings equal the previous
-- decided run's (same findings_digest) writes no finding row at all.
ALTER TABLE control_runs ADD COLUMN findings_digest TEXT;

CREATE TABLE control_finding_spans (
    tenant_id         TEXT NOT NULL,
    control_id        TEXT NOT NULL,
    asset_identifier  TEXT NOT NULL,
    id_from_provider  TEXT,
    asset_type        TEXT,
    excepted          BOOLEAN NOT NULL,
    opened_run_id     BIGINT NOT NULL REFERENCES control_runs (id) ON DELETE CASCADE,
    closed_run_id     BIGINT,
    PRIMARY KEY (tenant_id, control_id, opened_run_id, asset_identifier)
);
CREATE INDEX control_finding_spans_open_idx ON control_finding_spans (tenant_id, control_id, asset_identifier)
    WHERE closed_run_id IS NULL;

-- Each stored finding becomes a span from its run to the next decided run of its control.
INSERT INTO control_finding_spans
SELECT f.tenant_id, r.control_id, f.asset_identifier, f.id_from_provider, f.asset_type, f.excepted,
       f.run_id,
       (SELECT MIN(n.id) FROM control_runs n
         WHERE n.tenant_id = r.tenant_id AND n.control_id = r.control_id
           AND n.status IN ('pass', 'fail') AND n.id > r.id)
FROM control_findings f JOIN control_runs r ON r.id = f.run_id;
DROP TABLE control_findings;

ALTER TABLE control_finding_spans ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON control_finding_spans USING (tenant_id = (SELECT assetql_tenant()));

-- Stale data on a run: the scopes (account, region) of the tenant whose newest successful sync
-- was older than the runner's maximum data age when the run evaluated, as a JSON array of
-- {"cloudAccountId", "region", "lastSyncedAt"}; NULL for runs before this migration.
ALTER TABLE control_runs ADD COLUMN stale_scopes TEXT;
