-- Hand-written baseline for bench/load.sh (the first 1,000 rows by ARN: the server's default page): aws-ecs-12: clusters without containerInsights enabled.
SELECT coalesce(json_agg(r.j ORDER BY r.arn), '[]')::text FROM (
SELECT k.arn, json_build_object(
    'identifier', k.arn, 'accountID', k.tenant_id, 'cloudAccountID', k.cloud_account_id,
    'cloudAccountName', ca.name, 'cloudProvider', 'aws', 'idFromProvider', k.arn,
    'internalAssetType', 'ECSCluster', 'internalName', k.name,
    'internalRegion', k.region, 'assetCategory', 'Containers', 'contentHash', k.content_hash) AS j
FROM ecs_clusters k
LEFT JOIN cloud_accounts ca ON ca.tenant_id = k.tenant_id AND ca.id = k.cloud_account_id
WHERE k.tenant_id = 'default'
  AND NOT EXISTS (SELECT 1 FROM ecs_cluster_settings x WHERE x.tenant_id = k.tenant_id AND x.cluster_arn = k.arn
                  AND x.name = 'containerInsights' AND x.value = 'enabled')
ORDER BY k.arn LIMIT 1000) r;
