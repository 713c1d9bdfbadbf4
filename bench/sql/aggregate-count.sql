-- Hand-written baseline for bench/load.sh: an aggregate: how many revisions run in host network mode.
SELECT json_build_object('aggregate', json_build_object('count', json_build_object('nodes', count(*))))::text
FROM ecs_task_definitions d WHERE d.tenant_id = 'default' AND d.network_mode = 'host';
