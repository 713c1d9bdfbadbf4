//! AWS SDK shapes -> inventory model. Absent stays `None`: nothing defaults to `false` or `""`.

use assetql_model::{
    Arn, Cluster, ClusterSetting, ContainerSpec, EnvEntry, Service, ServiceNetworkConfiguration,
    Tag, Task, TaskDefinition,
};
use aws_sdk_ecs::types;
use chrono::{DateTime, Utc};

use crate::error::CollectError;

fn time(value: Option<&aws_sdk_ecs::primitives::DateTime>) -> Option<DateTime<Utc>> {
    value.and_then(|t| DateTime::from_timestamp(t.secs(), t.subsec_nanos()))
}

fn tags(tags: &[types::Tag]) -> Vec<Tag> {
    tags.iter()
        .filter_map(|t| {
            Some(Tag {
                key: t.key()?.to_owned(),
                value: t.value().map(str::to_owned),
            })
        })
        .collect()
}

fn arn(value: Option<&str>, what: &'static str) -> Result<Arn, CollectError> {
    let text = value.ok_or(CollectError::Malformed {
        what,
        reason: "no ARN".to_owned(),
    })?;
    Arn::parse(text).map_err(|e| CollectError::Malformed {
        what,
        reason: e.to_string(),
    })
}

pub(crate) fn cluster(c: &types::Cluster) -> Result<Cluster, CollectError> {
    let arn = arn(c.cluster_arn(), "cluster")?;
    Ok(Cluster {
        name: c.cluster_name().unwrap_or(arn.resource_name()).to_owned(),
        status: c.status().map(str::to_owned),
        running_tasks_count: Some(i64::from(c.running_tasks_count())),
        pending_tasks_count: Some(i64::from(c.pending_tasks_count())),
        active_services_count: Some(i64::from(c.active_services_count())),
        registered_container_instances_count: Some(i64::from(
            c.registered_container_instances_count(),
        )),
        capacity_providers: c.capacity_providers.clone(),
        settings: c
            .settings()
            .iter()
            .filter_map(|s| {
                Some(ClusterSetting {
                    name: s.name()?.as_str().to_owned(),
                    value: s.value().map(str::to_owned),
                })
            })
            .collect(),
        tags: tags(c.tags()),
        arn,
    })
}

pub(crate) fn service(s: &types::Service) -> Result<Service, CollectError> {
    let arn = arn(s.service_arn(), "service")?;
    let network = s
        .network_configuration()
        .and_then(|n| n.awsvpc_configuration())
        .map(|vpc| ServiceNetworkConfiguration {
            assign_public_ip: vpc.assign_public_ip().and_then(|ip| match ip {
                types::AssignPublicIp::Enabled => Some(true),
                types::AssignPublicIp::Disabled => Some(false),
                _ => None,
            }),
            subnets: Some(vpc.subnets().to_vec()),
            security_groups: vpc.security_groups.clone(),
        });
    Ok(Service {
        name: s.service_name().unwrap_or(arn.resource_name()).to_owned(),
        cluster_arn: s.cluster_arn().map(str::to_owned),
        status: s.status().map(str::to_owned),
        launch_type: s.launch_type().map(|l| l.as_str().to_owned()),
        platform_version: s.platform_version().map(str::to_owned),
        platform_family: s.platform_family().map(str::to_owned),
        task_definition_arn: s.task_definition().map(str::to_owned),
        scheduling_strategy: s.scheduling_strategy().map(|x| x.as_str().to_owned()),
        desired_count: Some(i64::from(s.desired_count())),
        running_count: Some(i64::from(s.running_count())),
        pending_count: Some(i64::from(s.pending_count())),
        created_at: time(s.created_at()),
        network_configuration: network,
        tags: tags(s.tags()),
        arn,
    })
}

pub(crate) fn task(t: &types::Task) -> Result<Task, CollectError> {
    Ok(Task {
        arn: arn(t.task_arn(), "task")?,
        cluster_arn: t.cluster_arn().map(str::to_owned),
        task_definition_arn: t.task_definition_arn().map(str::to_owned),
        last_status: t.last_status().map(str::to_owned),
        desired_status: t.desired_status().map(str::to_owned),
        launch_type: t.launch_type().map(|l| l.as_str().to_owned()),
        platform_version: t.platform_version().map(str::to_owned),
        cpu: t.cpu().map(str::to_owned),
        memory: t.memory().map(str::to_owned),
        group: t.group().map(str::to_owned),
        availability_zone: t.availability_zone().map(str::to_owned),
        started_at: time(t.started_at()),
        tags: tags(t.tags()),
    })
}

fn container(c: &types::ContainerDefinition) -> ContainerSpec {
    let capabilities = c.linux_parameters().and_then(|l| l.capabilities());
    ContainerSpec {
        name: c.name().unwrap_or_default().to_owned(),
        image: c.image().map(str::to_owned),
        cpu: Some(i64::from(c.cpu())),
        memory: c.memory().map(i64::from),
        memory_reservation: c.memory_reservation().map(i64::from),
        essential: c.essential(),
        privileged: c.privileged(),
        user: c.user().map(str::to_owned),
        readonly_root_filesystem: c.readonly_root_filesystem(),
        capabilities_add: capabilities.and_then(|k| k.add.clone()),
        capabilities_drop: capabilities.and_then(|k| k.drop.clone()),
        // Names and whether a value is set; the values themselves are dropped here.
        environment: c
            .environment()
            .iter()
            .filter_map(|kv| {
                Some(EnvEntry {
                    name: kv.name()?.to_owned(),
                    has_value: kv.value().is_some_and(|v| !v.is_empty()),
                })
            })
            .collect(),
    }
}

pub(crate) fn task_definition(
    td: &types::TaskDefinition,
    tag_list: &[types::Tag],
) -> Result<TaskDefinition, CollectError> {
    let arn = arn(td.task_definition_arn(), "task definition")?;
    let family = match td.family() {
        Some(family) => family.to_owned(),
        None => arn
            .resource_name()
            .rsplit_once(':')
            .map(|(f, _)| f.to_owned())
            .unwrap_or_default(),
    };
    Ok(TaskDefinition {
        family,
        revision: i64::from(td.revision()),
        status: td.status().map(|s| s.as_str().to_owned()),
        network_mode: td.network_mode().map(|m| m.as_str().to_owned()),
        pid_mode: td.pid_mode().map(|m| m.as_str().to_owned()),
        ipc_mode: td.ipc_mode().map(|m| m.as_str().to_owned()),
        task_role_arn: td.task_role_arn().map(str::to_owned),
        execution_role_arn: td.execution_role_arn().map(str::to_owned),
        cpu: td.cpu().map(str::to_owned),
        memory: td.memory().map(str::to_owned),
        requires_compatibilities: td
            .requires_compatibilities
            .as_ref()
            .map(|c| c.iter().map(|x| x.as_str().to_owned()).collect()),
        registered_at: time(td.registered_at()),
        deregistered_at: time(td.deregistered_at()),
        containers: td.container_definitions().iter().map(container).collect(),
        tags: tags(tag_list),
        arn,
    })
}
