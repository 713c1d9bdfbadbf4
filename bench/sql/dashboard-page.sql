-- Hand-written baseline for bench/load.sh: a dashboard page: 50 awsvpc revisions of one account, newest first, with containers and the total.
WITH matching AS (
  SELECT d.arn, d.family, d.revision, d.status, d.registered_at
  FROM ecs_task_definitions d
  WHERE d.tenant_id = 'default' AND d.network_mode = 'awsvpc' AND d.cloud_account_id = '100000000001'
), page AS (
  SELECT * FROM matching ORDER BY registered_at DESC NULLS LAST, arn LIMIT 50
)
SELECT json_build_object(
  'totalCount', (SELECT count(*) FROM matching),
  'edges', coalesce((SELECT json_agg(json_build_object('node', json_build_object(
      'arn', p.arn, 'family', p.family, 'revision', p.revision, 'status', p.status,
      'containerSpecs', (SELECT coalesce(json_agg(json_build_object('name', c.name, 'image', c.image,
                                'privileged', c.privileged, 'user', c.user_name) ORDER BY c.ordinal), '[]')
                         FROM ecs_container_specs c
                         WHERE c.tenant_id = 'default' AND c.task_definition_arn = p.arn)))
      ORDER BY p.registered_at DESC NULLS LAST, p.arn) FROM page p), '[]'))::text;
