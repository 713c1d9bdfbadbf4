-- Hand-written baseline for bench/load.sh: the assets interface: every asset of one account and region whose name starts with svc123.
SELECT coalesce(json_agg(a.j ORDER BY a.arn), '[]')::text FROM (
  SELECT d.arn, json_build_object('__typename', 'EcsTaskDefinition', 'identifier', d.arn,
         'internalName', d.family || ':' || d.revision, 'internalAssetType', 'ECSTaskDefinition') AS j
  FROM ecs_task_definitions d
  WHERE d.tenant_id = 'default' AND d.cloud_account_id = '100000000002' AND d.region = 'eu-west-1'
    AND d.family LIKE 'svc123%'
  UNION ALL
  SELECT t.arn, json_build_object('__typename', 'EcsTask', 'identifier', t.arn, 'internalName', t.name,
         'internalAssetType', 'ECSTask')
  FROM ecs_tasks t
  WHERE t.tenant_id = 'default' AND t.cloud_account_id = '100000000002' AND t.region = 'eu-west-1'
    AND t.name LIKE 'svc123%'
  UNION ALL
  SELECT s.arn, json_build_object('__typename', 'EcsService', 'identifier', s.arn, 'internalName', s.name,
         'internalAssetType', 'ECSService')
  FROM ecs_services s
  WHERE s.tenant_id = 'default' AND s.cloud_account_id = '100000000002' AND s.region = 'eu-west-1'
    AND s.name LIKE 'svc123%'
  UNION ALL
  SELECT k.arn, json_build_object('__typename', 'EcsCluster', 'identifier', k.arn, 'internalName', k.name,
         'internalAssetType', 'ECSCluster')
  FROM ecs_clusters k
  WHERE k.tenant_id = 'default' AND k.cloud_account_id = '100000000002' AND k.region = 'eu-west-1'
    AND k.name LIKE 'svc123%'
) a;
