//! The whole ECS surface the inventory holds, synced through the collector and the writer that
//! production runs: against a mocked ECS that answers over HTTP with every field set
//! (`aws-smithy-mocks`, for what moto does not keep), and against moto for what it keeps. Each
//! new part is then queried over HTTP in both dialects, and no value the inventory must never
//! hold (environment, log option and docker label values, command lines) reaches the database.

use std::collections::BTreeMap;

use assetql_ingest::{sync_scope, ApiCalls, ScopeStatus};
use assetql_tests::fixtures::{self, ACCOUNT, REGION};
use assetql_tests::moto::{random_account, Moto};
use assetql_tests::server::TestServer;
use assetql_tests::surface::{self, CANARIES, CLUSTER};
use assetql_tests::{on_both_databases, TestDb};
use aws_sdk_ecs::operation::list_clusters::ListClustersOutput;
use aws_sdk_ecs::operation::list_container_instances::ListContainerInstancesOutput;
use aws_sdk_ecs::operation::list_services::ListServicesOutput;
use aws_sdk_ecs::operation::list_task_definitions::ListTaskDefinitionsOutput;
use aws_sdk_ecs::operation::list_tasks::ListTasksOutput;
use aws_sdk_ecs::types::TaskDefinitionStatus;
use aws_sdk_ecs::Client;
use aws_smithy_mocks::{mock, mock_client, MockResponse, Rule, RuleMode};
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::http::StatusCode;
use aws_smithy_types::body::SdkBody;
use serde_json::{json, Value as Json};

fn http(body: &Json) -> HttpResponse {
    HttpResponse::new(
        StatusCode::try_from(200).expect("status"),
        SdkBody::from(body.to_string()),
    )
}

/// ECS answering with the surface estate: revisions 1 and 2 ACTIVE, 3 INACTIVE.
fn rules() -> Vec<Rule> {
    let cluster_arn = surface::cluster()["clusterArn"]
        .as_str()
        .expect("arn")
        .to_owned();
    let service_arn = surface::service()["serviceArn"]
        .as_str()
        .expect("arn")
        .to_owned();
    let task_arn = surface::task()["taskArn"].as_str().expect("arn").to_owned();
    let instance_arn = surface::container_instance()["containerInstanceArn"]
        .as_str()
        .expect("arn")
        .to_owned();
    vec![
        mock!(Client::list_clusters).then_output(move || {
            ListClustersOutput::builder()
                .cluster_arns(cluster_arn.clone())
                .build()
        }),
        mock!(Client::describe_clusters).then_http_response(|| {
            http(&json!({"clusters": [surface::cluster()], "failures": []}))
        }),
        mock!(Client::list_services).then_output(move || {
            ListServicesOutput::builder()
                .service_arns(service_arn.clone())
                .build()
        }),
        mock!(Client::describe_services).then_http_response(|| {
            http(&json!({"services": [surface::service()], "failures": []}))
        }),
        mock!(Client::list_container_instances).then_output(move || {
            ListContainerInstancesOutput::builder()
                .container_instance_arns(instance_arn.clone())
                .build()
        }),
        mock!(Client::describe_container_instances).then_http_response(|| {
            http(&json!({"containerInstances": [surface::container_instance()], "failures": []}))
        }),
        mock!(Client::list_tasks).then_output(move || {
            ListTasksOutput::builder()
                .task_arns(task_arn.clone())
                .build()
        }),
        mock!(Client::describe_tasks)
            .then_http_response(|| http(&json!({"tasks": [surface::task()], "failures": []}))),
        mock!(Client::describe_capacity_providers).then_http_response(|| {
            http(&json!({"capacityProviders": surface::capacity_providers(), "failures": []}))
        }),
        mock!(Client::list_task_definitions)
            .match_requests(|r| r.status() == Some(&TaskDefinitionStatus::Active))
            .then_output(|| {
                ListTaskDefinitionsOutput::builder()
                    .task_definition_arns(surface::revision_arn(1))
                    .task_definition_arns(surface::revision_arn(2))
                    .build()
            }),
        mock!(Client::list_task_definitions)
            .match_requests(|r| r.status() == Some(&TaskDefinitionStatus::Inactive))
            .then_output(|| {
                ListTaskDefinitionsOutput::builder()
                    .task_definition_arns(surface::revision_arn(3))
                    .build()
            }),
        mock!(Client::list_task_definitions)
            .then_output(|| ListTaskDefinitionsOutput::builder().build()),
        mock!(Client::describe_task_definition).then_compute_response(|r| {
            let arn = r.task_definition().unwrap_or_default().to_owned();
            let revision: i64 = arn
                .rsplit(':')
                .next()
                .and_then(|n| n.parse().ok())
                .unwrap_or(0);
            let mut definition = surface::described_revision(
                revision,
                if revision == 3 { "INACTIVE" } else { "ACTIVE" },
            );
            let tags = definition.as_object_mut().and_then(|d| d.remove("tags"));
            MockResponse::Http(http(&json!({"taskDefinition": definition, "tags": tags})))
        }),
    ]
}

/// Every table of the inventory, dumped.
async fn everything(test_db: &TestDb) -> String {
    let mut out = BTreeMap::new();
    for ty in assetql_model::catalogue::CATALOGUE {
        out.insert(ty.table, test_db.dump(ty.table).await);
    }
    serde_json::to_string(&out).expect("json")
}

/// The data of `query` in both dialects, checked equal.
async fn both_dialects(server: &TestServer, legacy: &str, current: &str) -> Json {
    // `data()` fails the test on any error.
    let old = server.graphql(legacy, Some("legacy")).await;
    let new = server.graphql(current, Some("current")).await;
    assert_eq!(old.data(), new.data(), "the two dialects agree");
    old.data().clone()
}

on_both_databases! {
    async fn the_whole_surface_is_stored_and_answered_in_both_dialects(test_db: TestDb) {
        let rules = rules();
        let ecs = mock_client!(aws_sdk_ecs, RuleMode::MatchAny, &rules);
        let scope = fixtures::scope(ACCOUNT, REGION);
        let outcome = sync_scope(&test_db.db, &ecs, scope, None, ApiCalls::default(), 2).await;
        assert_eq!(outcome.status, ScopeStatus::Succeeded, "{outcome:?}");
        assert_eq!(outcome.api_calls.get("DescribeCapacityProviders"), Some(&1));
        assert_eq!(outcome.api_calls.get("DescribeContainerInstances"), Some(&1));
        // 1 cluster, 2 capacity providers, 1 container instance, 1 service, 1 task set,
        // 3 revisions, 1 task.
        assert_eq!(outcome.added, 10, "{outcome:?}");

        let stored = everything(&test_db).await;
        for canary in CANARIES {
            assert!(!stored.contains(canary), "{canary} reached the database");
        }
        for (table, rows) in [
            ("ecs_task_definition_volumes", 9), ("ecs_task_definition_placement_constraints", 3),
            ("ecs_container_secrets", 3), ("ecs_container_port_mappings", 3), ("ecs_container_mount_points", 3),
            ("ecs_container_volumes_from", 3), ("ecs_container_depends_on", 3), ("ecs_container_ulimits", 3),
            ("ecs_container_system_controls", 3), ("ecs_container_devices", 3), ("ecs_container_tmpfs", 3),
            ("ecs_task_attachments", 1), ("ecs_task_containers", 1), ("ecs_task_container_overrides", 1),
            ("ecs_service_deployments", 2), ("ecs_service_load_balancers", 1), ("ecs_service_registries", 1),
            ("ecs_capacity_provider_strategy_items", 2), ("ecs_container_instance_attributes", 2),
            ("ecs_task_sets", 1), ("ecs_capacity_providers", 2), ("ecs_container_instances", 1),
        ] {
            assert_eq!(test_db.count(table).await, rows, "{table}");
        }

        let server = TestServer::start(test_db.db.clone()).await;
        // AWS's "latest ACTIVE revision": 2, not the INACTIVE 3 nor the older 1.
        let latest = both_dialects(&server,
            "{ ecsTaskDefinitions(where: {latestActiveRevision: true}) { revision operatingSystemFamily cpuArchitecture ephemeralStorageGiB proxyConfigurationType requiresAttributes } }",
            "{ ecsTaskDefinitions(where: {latestActiveRevision: {eq: true}}) { revision operatingSystemFamily cpuArchitecture ephemeralStorageGiB proxyConfigurationType requiresAttributes } }").await;
        assert_eq!(latest["ecsTaskDefinitions"], json!([{"revision": 2, "operatingSystemFamily": "LINUX",
            "cpuArchitecture": "ARM64", "ephemeralStorageGiB": 30, "proxyConfigurationType": "APPMESH",
            "requiresAttributes": ["com.amazonaws.ecs.capability.logging-driver.awslogs", "ecs.capability.secrets.asm.environment-variables"]}]));

        // ECS.18: an EFS volume without transit encryption; ECS.9: a container without logging.
        let efs = both_dialects(&server,
            "{ ecsTaskDefinitions(where: {revision: 2, volumes_SOME: {efsFileSystemId_NOT: null, efsTransitEncryption_NOT: \"ENABLED\"}}) { volumes(where: {efsFileSystemId_NOT: null}) { name efsTransitEncryption efsTransitEncryptionPort efsIamAuthorization efsAccessPointId } } }",
            "{ ecsTaskDefinitions(where: {revision: {eq: 2}, volumes: {some: {AND: [{NOT: {efsFileSystemId: {eq: null}}}, {NOT: {efsTransitEncryption: {eq: \"ENABLED\"}}}]}}}) { volumes(where: {NOT: {efsFileSystemId: {eq: null}}}) { name efsTransitEncryption efsTransitEncryptionPort efsIamAuthorization efsAccessPointId } } }").await;
        assert_eq!(efs["ecsTaskDefinitions"], json!([{"volumes": [{"name": "shared", "efsTransitEncryption": "DISABLED",
            "efsTransitEncryptionPort": 2049, "efsIamAuthorization": "ENABLED", "efsAccessPointId": "fsap-1"}]}]));
        let containers = both_dialects(&server,
            "{ ecsTaskDefinitions(where: {revision: 2}) { containerSpecs { name logDriver logOptionNames logSecretOptionNames dockerLabelKeys hasHealthCheck healthCheckCommand hasRepositoryCredentials commandSet entryPointSet initProcessEnabled sharedMemorySize firelensType restartPolicyEnabled secrets { name valueFrom } portMappings { containerPort hostPort protocol appProtocol } mountPoints { sourceVolume containerPath readOnly } dependsOn { containerName condition } ulimits { name softLimit hardLimit } systemControls { namespace value } devices { hostPath permissions } tmpfs { containerPath size mountOptions } volumesFrom { sourceContainer readOnly } } } }",
            "{ ecsTaskDefinitions(where: {revision: {eq: 2}}) { containerSpecs { name logDriver logOptionNames logSecretOptionNames dockerLabelKeys hasHealthCheck healthCheckCommand hasRepositoryCredentials commandSet entryPointSet initProcessEnabled sharedMemorySize firelensType restartPolicyEnabled secrets { name valueFrom } portMappings { containerPort hostPort protocol appProtocol } mountPoints { sourceVolume containerPath readOnly } dependsOn { containerName condition } ulimits { name softLimit hardLimit } systemControls { namespace value } devices { hostPath permissions } tmpfs { containerPath size mountOptions } volumesFrom { sourceContainer readOnly } } } }").await;
        let app = &containers["ecsTaskDefinitions"][0]["containerSpecs"][0];
        assert_eq!(app["logDriver"], "awslogs");
        assert_eq!(app["logOptionNames"], json!(["awslogs-group", "awslogs-region"]));
        assert_eq!(app["logSecretOptionNames"], json!(["apiKey"]));
        assert_eq!(app["dockerLabelKeys"], json!(["team"]));
        assert_eq!((app["hasHealthCheck"].clone(), app["hasRepositoryCredentials"].clone()), (json!(true), json!(true)));
        assert_eq!((app["commandSet"].clone(), app["entryPointSet"].clone()), (json!(true), json!(false)));
        assert_eq!(app["secrets"], json!([{"name": "DB_PASSWORD", "valueFrom": format!("arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:db")}]));
        assert_eq!(app["portMappings"], json!([{"containerPort": 8080, "hostPort": 8080, "protocol": "tcp", "appProtocol": "http"}]));
        assert_eq!(app["mountPoints"], json!([{"sourceVolume": "shared", "containerPath": "/data", "readOnly": false}]));
        assert_eq!(app["dependsOn"], json!([{"containerName": "sidecar", "condition": "HEALTHY"}]));
        assert_eq!(app["ulimits"], json!([{"name": "nofile", "softLimit": 1024, "hardLimit": 4096}]));
        assert_eq!(app["devices"], json!([{"hostPath": "/dev/fuse", "permissions": ["read", "write"]}]));
        assert_eq!(app["tmpfs"], json!([{"containerPath": "/tmp", "size": 64, "mountOptions": ["noexec"]}]));
        let sidecar = &containers["ecsTaskDefinitions"][0]["containerSpecs"][1];
        assert_eq!((sidecar["logDriver"].clone(), sidecar["firelensType"].clone(), sidecar["entryPointSet"].clone()), (Json::Null, json!("fluentbit"), json!(true)));

        // A rollout: the service's deployments run revisions 2 and 1; the task (revision 1) is
        // the older deployment's, on the container instance, with its ENI.
        let services = both_dialects(&server,
            "{ ecsServices { name deploymentController enableExecuteCommand circuitBreakerEnabled minimumHealthyPercent deployments { status rolloutState taskDefinition { revision } } loadBalancers { containerName containerPort } serviceRegistries { port } capacityProviderStrategy { capacityProvider weight } taskSets { id assignPublicIP scaleValue scaleUnit } tasks { name } } }",
            "{ ecsServices { name deploymentController enableExecuteCommand circuitBreakerEnabled minimumHealthyPercent deployments { status rolloutState taskDefinition { revision } } loadBalancers { containerName containerPort } serviceRegistries { port } capacityProviderStrategy { capacityProvider weight } taskSets { id assignPublicIP scaleValue scaleUnit } tasks { name } } }").await;
        assert_eq!(services["ecsServices"], json!([{"name": "web", "deploymentController": "EXTERNAL", "enableExecuteCommand": true,
            "circuitBreakerEnabled": true, "minimumHealthyPercent": 100,
            "deployments": [{"status": "PRIMARY", "rolloutState": "IN_PROGRESS", "taskDefinition": {"revision": 2}},
                            {"status": "ACTIVE", "rolloutState": "COMPLETED", "taskDefinition": {"revision": 1}}],
            "loadBalancers": [{"containerName": "app", "containerPort": 8080}], "serviceRegistries": [{"port": 8080}],
            "capacityProviderStrategy": [{"capacityProvider": "asg-provider", "weight": 2}],
            "taskSets": [{"id": "ecs-svc/ts-1", "assignPublicIP": true, "scaleValue": 100, "scaleUnit": "PERCENT"}],
            "tasks": [{"name": "t-1"}]}]));
        let in_use = both_dialects(&server,
            "{ ecsTaskDefinitions(where: {deployments_SOME: {status: \"ACTIVE\"}}) { revision deployments { service { name } } } }",
            "{ ecsTaskDefinitions(where: {deployments: {some: {status: {eq: \"ACTIVE\"}}}}) { revision deployments { service { name } } } }").await;
        assert_eq!(in_use["ecsTaskDefinitions"], json!([{"revision": 1, "deployments": [{"service": {"name": "web"}}]}]));
        let tasks = both_dialects(&server,
            "{ ecsTasks { name serviceName startedBy enableExecuteCommand overrideTaskRoleArn service { name } containerInstance { ec2InstanceId agentVersion attributes { name value } cluster { name } } attachments { networkInterfaceId subnetId privateIPv4Address } containers { imageDigest healthStatus } containerOverrides { name overridesCommand environmentNames } } }",
            "{ ecsTasks { name serviceName startedBy enableExecuteCommand overrideTaskRoleArn service { name } containerInstance { ec2InstanceId agentVersion attributes { name value } cluster { name } } attachments { networkInterfaceId subnetId privateIPv4Address } containers { imageDigest healthStatus } containerOverrides { name overridesCommand environmentNames } } }").await;
        assert_eq!(tasks["ecsTasks"], json!([{"name": "t-1", "serviceName": "web", "startedBy": "ecs-svc/1", "enableExecuteCommand": true,
            "overrideTaskRoleArn": format!("arn:aws:iam::{ACCOUNT}:role/override"), "service": {"name": "web"},
            "containerInstance": {"ec2InstanceId": "i-0123456789abcdef0", "agentVersion": "1.80.0",
                "attributes": [{"name": "ecs.capability.execution-role-awslogs", "value": null}, {"name": "ecs.os-type", "value": "linux"}],
                "cluster": {"name": CLUSTER}},
            "attachments": [{"networkInterfaceId": "eni-0abc", "subnetId": "subnet-1", "privateIPv4Address": "10.0.0.5"}],
            "containers": [{"imageDigest": "sha256:abc", "healthStatus": "HEALTHY"}],
            "containerOverrides": [{"name": "app", "overridesCommand": true, "environmentNames": ["API_URL"]}]}]));

        // ECS.16 and ECS.19 as queries.
        let public_sets = both_dialects(&server,
            "{ ecsTaskSets(where: {assignPublicIP: true}) { internalName service { name } taskDefinition { revision } } }",
            "{ ecsTaskSets(where: {assignPublicIP: {eq: true}}) { internalName service { name } taskDefinition { revision } } }").await;
        assert_eq!(public_sets["ecsTaskSets"], json!([{"internalName": "ecs-svc/ts-1", "service": {"name": "web"}, "taskDefinition": {"revision": 2}}]));
        let unprotected = both_dialects(&server,
            "{ ecsCapacityProviders(where: {autoScalingGroupArn_NOT: null, managedTerminationProtection_NOT: \"ENABLED\"}) { name managedScalingTargetCapacity managedDraining tags { key } } }",
            "{ ecsCapacityProviders(where: {AND: [{NOT: {autoScalingGroupArn: {eq: null}}}, {NOT: {managedTerminationProtection: {eq: \"ENABLED\"}}}]}) { name managedScalingTargetCapacity managedDraining tags { key } } }").await;
        assert_eq!(unprotected["ecsCapacityProviders"], json!([{"name": "asg-provider", "managedScalingTargetCapacity": 90, "managedDraining": "ENABLED", "tags": [{"key": "team"}]}]));
        let clusters = both_dialects(&server,
            "{ ecsClusters { executeCommandKmsKeyId executeCommandLogging executeCommandCloudWatchEncryption executeCommandS3Encryption managedStorageKmsKeyId serviceConnectNamespace defaultCapacityProviderStrategy { capacityProvider base } containerInstances { ec2InstanceId } taskSets { id } } }",
            "{ ecsClusters { executeCommandKmsKeyId executeCommandLogging executeCommandCloudWatchEncryption executeCommandS3Encryption managedStorageKmsKeyId serviceConnectNamespace defaultCapacityProviderStrategy { capacityProvider base } containerInstances { ec2InstanceId } taskSets { id } } }").await;
        assert_eq!(clusters["ecsClusters"], json!([{"executeCommandKmsKeyId": "key-exec", "executeCommandLogging": "OVERRIDE",
            "executeCommandCloudWatchEncryption": true, "executeCommandS3Encryption": false, "managedStorageKmsKeyId": "key-storage",
            "serviceConnectNamespace": format!("arn:aws:servicediscovery:{REGION}:{ACCOUNT}:namespace/ns-1"),
            "defaultCapacityProviderStrategy": [{"capacityProvider": "asg-provider", "base": 1}],
            "containerInstances": [{"ec2InstanceId": "i-0123456789abcdef0"}], "taskSets": [{"id": "ecs-svc/ts-1"}]}]));

        // The `assets` interface reaches the new asset types.
        let kinds = server.graphql("{ assets(where: {internalAssetType_IN: [\"ECSTaskSet\", \"ECSCapacityProvider\", \"ECSContainerInstance\"]}) { internalAssetType } }", Some("legacy")).await;
        let mut seen: Vec<&str> = kinds.data()["assets"].as_array().expect("list").iter().filter_map(|a| a["internalAssetType"].as_str()).collect();
        seen.sort_unstable();
        assert_eq!(seen, ["ECSCapacityProvider", "ECSCapacityProvider", "ECSContainerInstance", "ECSTaskSet"]);

        // An unchanged re-sync describes no revision and changes nothing.
        let again = sync_scope(&test_db.db, &ecs, fixtures::scope(ACCOUNT, REGION), None, ApiCalls::default(), 2).await;
        assert_eq!(again.status, ScopeStatus::Succeeded, "{again:?}");
        assert_eq!(again.api_calls.get("DescribeTaskDefinition"), None, "{again:?}");
        assert_eq!((again.added, again.updated, again.removed), (0, 0, 0));
    }

    async fn what_moto_keeps_of_a_task_definition_reaches_the_inventory(test_db: TestDb) {
        let moto = Moto::from_env();
        let account = random_account();
        let registered = moto.seed(&account, REGION, json!([
            {"op": "cluster", "name": CLUSTER},
            {"op": "call", "method": "register_task_definition", "args": surface::registration()}
        ]));
        assert!(registered[1]["taskDefinition"]["taskDefinitionArn"].is_string(), "{registered:?}");
        let base = moto.sdk_config().await;
        let config = assetql_ingest::IngestConfig::with_accounts(vec![assetql_ingest::AccountConfig {
            tenant: assetql_model::TenantId::default_tenant(),
            name: Some("surface".to_owned()),
            role_arn: Some(format!("arn:aws:iam::{account}:role/assetql-reader")),
            external_id: None,
            regions: vec![REGION.to_owned()],
            environment: None,
        }]);
        let report = assetql_ingest::sync_all(&test_db.db, &base, &config).await;
        assert!(!report.any_failed(), "{report:?}");

        let stored = everything(&test_db).await;
        for canary in CANARIES {
            assert!(!stored.contains(canary), "{canary} reached the database");
        }
        let server = TestServer::start(test_db.db.clone()).await;
        let answer = both_dialects(&server,
            "{ ecsTaskDefinitions { latestActiveRevision operatingSystemFamily cpuArchitecture ephemeralStorageGiB proxyConfigurationType placementConstraints { type expression } volumes { name efsTransitEncryption hostSourcePath dockerScope } containerSpecs { name cpu logDriver logOptionNames dockerLabelKeys commandSet secrets { name } portMappings { containerPort } mountPoints { sourceVolume } devices { hostPath } tmpfs { size } ulimits { name } hasHealthCheck } } }",
            "{ ecsTaskDefinitions { latestActiveRevision operatingSystemFamily cpuArchitecture ephemeralStorageGiB proxyConfigurationType placementConstraints { type expression } volumes { name efsTransitEncryption hostSourcePath dockerScope } containerSpecs { name cpu logDriver logOptionNames dockerLabelKeys commandSet secrets { name } portMappings { containerPort } mountPoints { sourceVolume } devices { hostPath } tmpfs { size } ulimits { name } hasHealthCheck } } }").await;
        let definition = &answer["ecsTaskDefinitions"][0];
        assert_eq!(definition["latestActiveRevision"], true);
        assert_eq!(definition["operatingSystemFamily"], "LINUX");
        assert_eq!(definition["cpuArchitecture"], "ARM64");
        assert_eq!(definition["ephemeralStorageGiB"], 30);
        assert_eq!(definition["proxyConfigurationType"], "APPMESH");
        assert_eq!(definition["placementConstraints"][0]["type"], "memberOf");
        assert_eq!(definition["volumes"], json!([
            {"name": "shared", "efsTransitEncryption": "DISABLED", "hostSourcePath": null, "dockerScope": null},
            {"name": "scratch", "efsTransitEncryption": null, "hostSourcePath": "/var/scratch", "dockerScope": null},
            {"name": "cache", "efsTransitEncryption": null, "hostSourcePath": null, "dockerScope": "shared"}]));
        let app = &definition["containerSpecs"][0];
        assert_eq!(app["logDriver"], "awslogs");
        assert_eq!(app["logOptionNames"], json!(["awslogs-group", "awslogs-region"]));
        assert_eq!(app["dockerLabelKeys"], json!(["team"]));
        assert_eq!(app["commandSet"], true);
        assert_eq!(app["hasHealthCheck"], true);
        assert_eq!(app["secrets"], json!([{"name": "DB_PASSWORD"}]));
        assert_eq!(app["portMappings"], json!([{"containerPort": 8080}]));
        assert_eq!(app["mountPoints"], json!([{"sourceVolume": "shared"}]));
        assert_eq!(app["devices"], json!([{"hostPath": "/dev/fuse"}]));
        assert_eq!(app["tmpfs"], json!([{"size": 64}]));
        assert_eq!(app["ulimits"], json!([{"name": "nofile"}]));
    }
}
