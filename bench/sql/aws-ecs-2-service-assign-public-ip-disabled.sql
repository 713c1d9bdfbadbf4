-- Hand-written baseline for bench/load.sh (the first 1,000 rows by ARN: the server's default page): aws-ecs-2: services that assign a public IP.
SELECT coalesce(json_agg(r.j ORDER BY r.arn), '[]')::text FROM (
SELECT s.arn, json_build_object(
    'identifier', s.arn, 'accountID', s.tenant_id, 'cloudAccountID', s.cloud_account_id,
    'cloudAccountName', ca.name, 'cloudProvider', 'aws', 'idFromProvider', s.arn,
    'internalAssetType', 'ECSService', 'internalName', s.name,
    'internalRegion', s.region, 'assetCategory', 'Containers', 'contentHash', s.content_hash) AS j
FROM ecs_services s
LEFT JOIN cloud_accounts ca ON ca.tenant_id = s.tenant_id AND ca.id = s.cloud_account_id
WHERE s.tenant_id = 'default'
  AND EXISTS (SELECT 1 FROM ecs_service_network_configurations n
              WHERE n.tenant_id = s.tenant_id AND n.service_arn = s.arn AND n.assign_public_ip)
ORDER BY s.arn LIMIT 1000) r;
