-- Hand-written baseline for bench/load.sh: aws-ecs-10: services not on the LATEST platform version.
SELECT coalesce(json_agg(json_build_object(
    'identifier', s.arn, 'accountID', s.tenant_id, 'cloudAccountID', s.cloud_account_id,
    'cloudAccountName', ca.name, 'cloudProvider', 'aws', 'idFromProvider', s.arn,
    'internalAssetType', 'ECSService', 'internalName', s.name,
    'internalRegion', s.region, 'assetCategory', 'Containers', 'contentHash', s.content_hash) ORDER BY s.arn), '[]')::text
FROM ecs_services s
LEFT JOIN cloud_accounts ca ON ca.tenant_id = s.tenant_id AND ca.id = s.cloud_account_id
WHERE s.tenant_id = 'default' AND s.platform_version NOT IN ('LATEST', '');
