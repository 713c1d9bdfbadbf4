-- Hand-written baseline for bench/load.sh (the first 1,000 rows by ARN: the server's default page): aws-ecs-8: a running task and an AWS secret key name in a container's environment.
SELECT coalesce(json_agg(r.j ORDER BY r.arn), '[]')::text FROM (
SELECT d.arn, json_build_object(
    'identifier', d.arn, 'accountID', d.tenant_id, 'cloudAccountID', d.cloud_account_id,
    'cloudAccountName', ca.name, 'cloudProvider', 'aws', 'idFromProvider', d.arn,
    'internalAssetType', 'ECSTaskDefinition', 'internalName', d.family || ':' || d.revision,
    'internalRegion', d.region, 'assetCategory', 'Containers', 'contentHash', d.content_hash) AS j
FROM ecs_task_definitions d
LEFT JOIN cloud_accounts ca ON ca.tenant_id = d.tenant_id AND ca.id = d.cloud_account_id
WHERE d.tenant_id = 'default'
  AND EXISTS (SELECT 1 FROM ecs_tasks t WHERE t.tenant_id = d.tenant_id AND t.task_definition_arn = d.arn)
  AND EXISTS (SELECT 1 FROM ecs_container_env_entries e WHERE e.tenant_id = d.tenant_id AND e.task_definition_arn = d.arn
              AND e.name IN ('AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'ECS_ENGINE_AUTH_DATA'))
ORDER BY d.arn LIMIT 1000) r;
