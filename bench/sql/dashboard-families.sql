-- Hand-written baseline for the dashboard page of issue #19: 50 ACTIVE revisions by family (byte order), newest revision first, with containers and the total.
WITH page AS (
  SELECT d.arn, d.family, d.revision, d.status
  FROM ecs_task_definitions d
  WHERE d.tenant_id = 'default' AND d.status = 'ACTIVE'
  ORDER BY d.family COLLATE "C", d.revision DESC, d.arn COLLATE "C" LIMIT 50
)
SELECT json_build_object(
  'totalCount', (SELECT count(*) FROM ecs_task_definitions d WHERE d.tenant_id = 'default' AND d.status = 'ACTIVE'),
  'edges', coalesce((SELECT json_agg(json_build_object('node', json_build_object(
      'arn', p.arn, 'family', p.family, 'revision', p.revision, 'status', p.status,
      'containerSpecs', (SELECT coalesce(json_agg(json_build_object('name', c.name, 'image', c.image,
                                'privileged', c.privileged, 'user', c.user_name) ORDER BY c.ordinal), '[]')
                         FROM ecs_container_specs c
                         WHERE c.tenant_id = 'default' AND c.task_definition_arn = p.arn)))
      ORDER BY p.family COLLATE "C", p.revision DESC, p.arn COLLATE "C") FROM page p), '[]'))::text;
