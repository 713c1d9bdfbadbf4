-- Issue #16: what a control run covered and what changed since the previous one.
-- applicable: how many assets the control applies to (its applicable-assets query); NULL when
-- that is not known (runs before this migration, error and no_data runs).
-- applicable_by_account: the same per AWS account, as a JSON object {"111111111111": 40}.
-- newly_failing / fixed: identifiers failing now and not in the previous decided (pass or fail)
-- run of the same control and tenant, and the reverse, as JSON arrays (both empty on a
-- control's first decided run).
ALTER TABLE control_runs ADD COLUMN applicable BIGINT;
ALTER TABLE control_runs ADD COLUMN applicable_by_account TEXT;
ALTER TABLE control_runs ADD COLUMN newly_failing TEXT;
ALTER TABLE control_runs ADD COLUMN fixed TEXT;

-- The environment an account is for (`environment = "production"` in its [[aws.accounts]]
-- entry): shown on every asset and used to order findings.
ALTER TABLE cloud_accounts ADD COLUMN environment TEXT;
