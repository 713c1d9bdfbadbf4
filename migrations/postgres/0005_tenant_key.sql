-- Row-level security that the reader role's password alone cannot get around. Before, the
-- policies compared tenant_id with the setting `assetql.tenant`, which any session may set: a
-- person holding the reader's password could read every tenant. Now the setting is honoured only
-- in a session that also holds the deployment's tenant key (`assetql.key`, given by assetql's
-- reader pool at connection start). The key lives in a table only the owner can read, and is
-- checked by a SECURITY DEFINER function; each statement evaluates it once (an InitPlan).
CREATE TABLE assetql_tenant_key (
    key TEXT NOT NULL
);
-- gen_random_uuid() draws from PostgreSQL's strong random source: 244 random bits.
INSERT INTO assetql_tenant_key (key)
    SELECT replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', '');

-- Earlier reader roles were given SELECT on future tables by default: take it back here.
DO $$
DECLARE
    grantee_name TEXT;
BEGIN
    REVOKE ALL ON assetql_tenant_key FROM PUBLIC;
    FOR grantee_name IN
        SELECT DISTINCT grantee FROM information_schema.role_table_grants
        WHERE table_schema = current_schema() AND table_name = 'assetql_tenant_key'
          AND grantee NOT IN ('PUBLIC', current_user)
    LOOP
        EXECUTE format('REVOKE ALL ON assetql_tenant_key FROM %I', grantee_name);
    END LOOP;
END $$;

-- The search path is fixed (this schema, then pg_temp last) so that a caller cannot shadow the
-- key table with a temporary table of its own.
DO $$
BEGIN
    EXECUTE format(
        'CREATE FUNCTION assetql_tenant() RETURNS TEXT LANGUAGE sql STABLE SECURITY DEFINER '
        'SET search_path = %1$I, pg_temp AS '
        '$f$ SELECT current_setting(''assetql.tenant'', true) FROM %1$I.assetql_tenant_key '
        'WHERE key = current_setting(''assetql.key'', true) $f$',
        current_schema());
END $$;

DO $$
DECLARE
    policy RECORD;
BEGIN
    FOR policy IN
        SELECT tablename FROM pg_policies
        WHERE schemaname = current_schema() AND policyname = 'tenant_isolation'
    LOOP
        EXECUTE format(
            'ALTER POLICY tenant_isolation ON %I USING (tenant_id = (SELECT assetql_tenant()))',
            policy.tablename);
    END LOOP;
END $$;
