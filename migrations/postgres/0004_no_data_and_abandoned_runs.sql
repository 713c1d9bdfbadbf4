-- A control run may say `no_data` (no successful sync of its asset types for the tenant: an
-- empty answer then means "not looked", never "compliant"), and a sync run left `running` by a
-- process that died is marked `abandoned` when the next run of its scope starts.
ALTER TABLE control_runs DROP CONSTRAINT control_runs_status_check;
ALTER TABLE control_runs ADD CONSTRAINT control_runs_status_check
    CHECK (status IN ('pass', 'fail', 'error', 'no_data'));
ALTER TABLE sync_runs DROP CONSTRAINT sync_runs_status_check;
ALTER TABLE sync_runs ADD CONSTRAINT sync_runs_status_check
    CHECK (status IN ('running', 'succeeded', 'failed', 'abandoned'));

-- The query path's reader role reads the inventory, never the token hashes or the tenant list
-- (they carry no row-level policy). `assetql migrate --create-reader-role` no longer grants
-- them; this takes back what earlier versions granted to any role but the owner.
DO $$
DECLARE
    grantee_name TEXT;
BEGIN
    FOR grantee_name IN
        SELECT DISTINCT grantee FROM information_schema.role_table_grants
        WHERE table_schema = current_schema() AND table_name IN ('api_tokens', 'tenants')
          AND grantee NOT IN ('PUBLIC', current_user)
    LOOP
        EXECUTE format('REVOKE ALL ON api_tokens, tenants FROM %I', grantee_name);
    END LOOP;
END $$;
