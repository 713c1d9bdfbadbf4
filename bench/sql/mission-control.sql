-- Hand-written baseline for bench/load.sh (the first 1,000 rows by ARN: the server's default page): the mission control (legacy and current text): host network mode, a running task, a privileged or root-ish container.
SELECT coalesce(json_agg(r.j ORDER BY r.arn), '[]')::text FROM (
SELECT d.arn, json_build_object(
    'identifier', d.arn, 'accountID', d.tenant_id, 'cloudAccountID', d.cloud_account_id,
    'cloudAccountName', ca.name, 'cloudProvider', 'aws', 'idFromProvider', d.arn,
    'internalAssetType', 'ECSTaskDefinition', 'internalName', d.family || ':' || d.revision,
    'internalRegion', d.region, 'assetCategory', 'Containers', 'contentHash', d.content_hash) AS j
FROM ecs_task_definitions d
LEFT JOIN cloud_accounts ca ON ca.tenant_id = d.tenant_id AND ca.id = d.cloud_account_id
WHERE d.tenant_id = 'default' AND d.network_mode = 'host'
  AND EXISTS (SELECT 1 FROM ecs_tasks t WHERE t.tenant_id = d.tenant_id AND t.task_definition_arn = d.arn)
  AND EXISTS (SELECT 1 FROM ecs_container_specs c WHERE c.tenant_id = d.tenant_id AND c.task_definition_arn = d.arn
              AND (c.privileged OR c.user_name LIKE '%root%'))
ORDER BY d.arn LIMIT 1000) r;
