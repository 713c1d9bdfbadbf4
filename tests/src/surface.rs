//! An ECS estate that sets every part of the surface the inventory stores, as the ECS API's JSON
//! answers it (and, for the task definition, as RegisterTaskDefinition takes it). Values the
//! inventory must never hold are canaries: a test can look for them anywhere in the database.

use serde_json::{json, Value as Json};

use crate::fixtures::{arn, at, epoch, ACCOUNT, REGION};

/// Texts that must never reach the database: an environment value, a log option value, a
/// docker label value, a command line, an override's environment value.
pub const CANARIES: [&str; 5] = [
    "CANARY-ENV-VALUE",
    "CANARY-LOG-OPTION-VALUE",
    "CANARY-LABEL-VALUE",
    "CANARY-COMMAND-TEXT",
    "CANARY-OVERRIDE-VALUE",
];

/// The cluster's name.
pub const CLUSTER: &str = "surface";

/// A RegisterTaskDefinition request (family `surface`) that sets every field the inventory
/// reads from a revision.
pub fn registration() -> Json {
    json!({
        "family": "surface",
        "networkMode": "awsvpc",
        "requiresCompatibilities": ["FARGATE"],
        "cpu": "256",
        "memory": "512",
        "taskRoleArn": format!("arn:aws:iam::{ACCOUNT}:role/surface-task"),
        "runtimePlatform": {"operatingSystemFamily": "LINUX", "cpuArchitecture": "ARM64"},
        "ephemeralStorage": {"sizeInGiB": 30},
        "proxyConfiguration": {"type": "APPMESH", "containerName": "sidecar",
            "properties": [{"name": "AppPorts", "value": "8080"}]},
        "placementConstraints": [{"type": "memberOf", "expression": "attribute:ecs.instance-type =~ t3.*"}],
        "volumes": [
            {"name": "shared", "efsVolumeConfiguration": {"fileSystemId": "fs-1234", "rootDirectory": "/data",
                "transitEncryption": "DISABLED", "transitEncryptionPort": 2049,
                "authorizationConfig": {"iam": "ENABLED", "accessPointId": "fsap-1"}}},
            {"name": "scratch", "host": {"sourcePath": "/var/scratch"}},
            {"name": "cache", "dockerVolumeConfiguration": {"scope": "shared", "driver": "local", "autoprovision": true}}
        ],
        "containerDefinitions": [
            {
                "name": "app",
                "image": "registry.example/app:1",
                "essential": true,
                "memory": 256,
                "secrets": [{"name": "DB_PASSWORD", "valueFrom": format!("arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:db")}],
                "logConfiguration": {"logDriver": "awslogs",
                    "options": {"awslogs-group": "CANARY-LOG-OPTION-VALUE", "awslogs-region": REGION},
                    "secretOptions": [{"name": "apiKey", "valueFrom": format!("arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:log")}]},
                "portMappings": [{"containerPort": 8080, "hostPort": 8080, "protocol": "tcp", "appProtocol": "http", "name": "web"}],
                "mountPoints": [{"sourceVolume": "shared", "containerPath": "/data", "readOnly": false}],
                "volumesFrom": [{"sourceContainer": "sidecar", "readOnly": true}],
                "linuxParameters": {"initProcessEnabled": true, "sharedMemorySize": 64, "maxSwap": 0, "swappiness": 10,
                    "capabilities": {"drop": ["ALL"]},
                    "devices": [{"hostPath": "/dev/fuse", "containerPath": "/dev/fuse", "permissions": ["read", "write"]}],
                    "tmpfs": [{"containerPath": "/tmp", "size": 64, "mountOptions": ["noexec"]}]},
                "dockerSecurityOptions": ["no-new-privileges"],
                "healthCheck": {"command": ["CMD-SHELL", "curl -f http://localhost/"], "interval": 30},
                "repositoryCredentials": {"credentialsParameter": format!("arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:registry")},
                "dockerLabels": {"team": "CANARY-LABEL-VALUE"},
                "dependsOn": [{"containerName": "sidecar", "condition": "HEALTHY"}],
                "ulimits": [{"name": "nofile", "softLimit": 1024, "hardLimit": 4096}],
                "systemControls": [{"namespace": "net.core.somaxconn", "value": "1024"}],
                "workingDirectory": "/srv",
                "interactive": false,
                "pseudoTerminal": false,
                "startTimeout": 30,
                "stopTimeout": 20,
                "restartPolicy": {"enabled": true, "restartAttemptPeriod": 300},
                "command": ["--token", "CANARY-COMMAND-TEXT"],
                "environment": [{"name": "API_URL", "value": "CANARY-ENV-VALUE"}]
            },
            {
                "name": "sidecar",
                "image": "registry.example/sidecar:1",
                "essential": false,
                "memory": 64,
                "readonlyRootFilesystem": true,
                "firelensConfiguration": {"type": "fluentbit"},
                "entryPoint": ["/bin/sidecar"]
            }
        ],
        "tags": [{"key": "team", "value": "surface"}]
    })
}

/// The ARN of revision `revision` of the `surface` family.
pub fn revision_arn(revision: i64) -> String {
    arn(
        ACCOUNT,
        REGION,
        &format!("task-definition/surface:{revision}"),
    )
}

/// The `taskDefinition` of a DescribeTaskDefinition answer for revision `revision` with
/// `status`, with its tags inline (as the collector reads it).
pub fn described_revision(revision: i64, status: &str) -> Json {
    let mut definition = registration();
    definition["taskDefinitionArn"] = json!(revision_arn(revision));
    definition["revision"] = json!(revision);
    definition["status"] = json!(status);
    definition["compatibilities"] = json!(["EC2", "FARGATE"]);
    definition["requiresAttributes"] = json!([
        {"name": "com.amazonaws.ecs.capability.logging-driver.awslogs"},
        {"name": "ecs.capability.secrets.asm.environment-variables"}
    ]);
    definition["registeredAt"] = epoch(at(revision));
    definition
}

/// The cluster, with its configuration and default capacity provider strategy.
pub fn cluster() -> Json {
    json!({
        "clusterArn": arn(ACCOUNT, REGION, &format!("cluster/{CLUSTER}")),
        "clusterName": CLUSTER,
        "status": "ACTIVE",
        "runningTasksCount": 1,
        "capacityProviders": ["asg-provider", "FARGATE"],
        "defaultCapacityProviderStrategy": [{"capacityProvider": "asg-provider", "weight": 1, "base": 1}],
        "configuration": {
            "executeCommandConfiguration": {"kmsKeyId": "key-exec", "logging": "OVERRIDE",
                "logConfiguration": {"cloudWatchLogGroupName": "/ecs/exec", "cloudWatchEncryptionEnabled": true,
                    "s3BucketName": "exec-logs", "s3EncryptionEnabled": false}},
            "managedStorageConfiguration": {"kmsKeyId": "key-storage", "fargateEphemeralStorageKmsKeyId": "key-ephemeral"}
        },
        "serviceConnectDefaults": {"namespace": format!("arn:aws:servicediscovery:{REGION}:{ACCOUNT}:namespace/ns-1")},
        "settings": [{"name": "containerInsights", "value": "enabled"}],
        "tags": [{"key": "team", "value": "surface"}]
    })
}

/// An Auto Scaling group capacity provider without managed termination protection, and the
/// FARGATE provider.
pub fn capacity_providers() -> Vec<Json> {
    vec![
        json!({
            "capacityProviderArn": arn(ACCOUNT, REGION, "capacity-provider/asg-provider"),
            "name": "asg-provider",
            "status": "ACTIVE",
            "autoScalingGroupProvider": {
                "autoScalingGroupArn": format!("arn:aws:autoscaling:{REGION}:{ACCOUNT}:autoScalingGroup:1:autoScalingGroupName/asg"),
                "managedScaling": {"status": "ENABLED", "targetCapacity": 90},
                "managedTerminationProtection": "DISABLED",
                "managedDraining": "ENABLED"
            },
            "tags": [{"key": "team", "value": "surface"}]
        }),
        json!({
            "capacityProviderArn": arn(ACCOUNT, REGION, "capacity-provider/FARGATE"),
            "name": "FARGATE",
            "status": "ACTIVE",
            "tags": []
        }),
    ]
}

/// The container instance (as DescribeContainerInstances answers it: no cluster ARN).
pub fn container_instance() -> Json {
    json!({
        "containerInstanceArn": arn(ACCOUNT, REGION, &format!("container-instance/{CLUSTER}/ci-1")),
        "ec2InstanceId": "i-0123456789abcdef0",
        "status": "ACTIVE",
        "agentConnected": false,
        "versionInfo": {"agentVersion": "1.80.0", "dockerVersion": "20.10.25"},
        "runningTasksCount": 1,
        "pendingTasksCount": 0,
        "capacityProviderName": "asg-provider",
        "registeredAt": epoch(at(0)),
        "attributes": [{"name": "ecs.capability.execution-role-awslogs"}, {"name": "ecs.os-type", "value": "linux"}],
        "tags": []
    })
}

/// The service: EXTERNAL deployment controller with one task set that assigns public IPs, a
/// rollout in progress (PRIMARY on revision 2, ACTIVE still on revision 1), a load balancer, a
/// registry and a capacity provider strategy.
pub fn service() -> Json {
    let service_arn = arn(ACCOUNT, REGION, &format!("service/{CLUSTER}/web"));
    let cluster_arn = arn(ACCOUNT, REGION, &format!("cluster/{CLUSTER}"));
    json!({
        "serviceArn": service_arn,
        "serviceName": "web",
        "clusterArn": cluster_arn,
        "status": "ACTIVE",
        "taskDefinition": revision_arn(2),
        "desiredCount": 2,
        "runningCount": 1,
        "pendingCount": 0,
        "enableExecuteCommand": true,
        "enableECSManagedTags": true,
        "propagateTags": "SERVICE",
        "deploymentController": {"type": "EXTERNAL"},
        "deploymentConfiguration": {"deploymentCircuitBreaker": {"enable": true, "rollback": false},
            "minimumHealthyPercent": 100, "maximumPercent": 200},
        "healthCheckGracePeriodSeconds": 60,
        "capacityProviderStrategy": [{"capacityProvider": "asg-provider", "weight": 2, "base": 0}],
        "loadBalancers": [{"targetGroupArn": format!("arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT}:targetgroup/web/1"),
            "containerName": "app", "containerPort": 8080}],
        "serviceRegistries": [{"registryArn": format!("arn:aws:servicediscovery:{REGION}:{ACCOUNT}:service/srv-1"), "port": 8080}],
        "deployments": [
            {"id": "ecs-svc/2", "status": "PRIMARY", "taskDefinition": revision_arn(2), "desiredCount": 2,
             "runningCount": 0, "pendingCount": 0, "failedTasks": 1, "rolloutState": "IN_PROGRESS",
             "createdAt": epoch(at(100)), "updatedAt": epoch(at(110)),
             "networkConfiguration": {"awsvpcConfiguration": {"subnets": ["subnet-1"], "assignPublicIp": "DISABLED"}}},
            {"id": "ecs-svc/1", "status": "ACTIVE", "taskDefinition": revision_arn(1), "desiredCount": 1,
             "runningCount": 1, "pendingCount": 0, "rolloutState": "COMPLETED", "createdAt": epoch(at(0))}
        ],
        "taskSets": [{
            "id": "ecs-svc/ts-1",
            "taskSetArn": arn(ACCOUNT, REGION, &format!("task-set/{CLUSTER}/web/ecs-svc/ts-1")),
            "serviceArn": service_arn,
            "clusterArn": cluster_arn,
            "status": "PRIMARY",
            "taskDefinition": revision_arn(2),
            "launchType": "FARGATE",
            "platformVersion": "1.4.0",
            "externalId": "deploy-7",
            "computedDesiredCount": 2,
            "runningCount": 0,
            "scale": {"value": 100.0, "unit": "PERCENT"},
            "stabilityStatus": "STABILIZING",
            "networkConfiguration": {"awsvpcConfiguration": {"subnets": ["subnet-1"], "securityGroups": ["sg-1"], "assignPublicIp": "ENABLED"}}
        }],
        "tags": [{"key": "team", "value": "surface"}]
    })
}

/// The running task: revision 1 (the older deployment), on the container instance, with an ENI
/// and an override that replaces the command and an environment variable.
pub fn task() -> Json {
    json!({
        "taskArn": arn(ACCOUNT, REGION, &format!("task/{CLUSTER}/t-1")),
        "clusterArn": arn(ACCOUNT, REGION, &format!("cluster/{CLUSTER}")),
        "taskDefinitionArn": revision_arn(1),
        "containerInstanceArn": arn(ACCOUNT, REGION, &format!("container-instance/{CLUSTER}/ci-1")),
        "lastStatus": "RUNNING",
        "desiredStatus": "RUNNING",
        "healthStatus": "HEALTHY",
        "launchType": "EC2",
        "capacityProviderName": "asg-provider",
        "group": "service:web",
        "startedBy": "ecs-svc/1",
        "connectivity": "CONNECTED",
        "enableExecuteCommand": true,
        "startedAt": epoch(at(60)),
        "attachments": [{"id": "att-1", "type": "ElasticNetworkInterface", "status": "ATTACHED", "details": [
            {"name": "subnetId", "value": "subnet-1"},
            {"name": "networkInterfaceId", "value": "eni-0abc"},
            {"name": "privateIPv4Address", "value": "10.0.0.5"}
        ]}],
        "containers": [{"name": "app", "image": "registry.example/app:1", "imageDigest": "sha256:abc",
            "lastStatus": "RUNNING", "healthStatus": "HEALTHY"}],
        "overrides": {"taskRoleArn": format!("arn:aws:iam::{ACCOUNT}:role/override"), "containerOverrides": [
            {"name": "app", "command": ["CANARY-COMMAND-TEXT"], "environment": [{"name": "API_URL", "value": "CANARY-OVERRIDE-VALUE"}]}
        ]},
        "tags": []
    })
}
