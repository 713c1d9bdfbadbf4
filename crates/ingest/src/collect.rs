//! Reading one scope (account x region) from ECS: every paginator followed to the end, batches at
//! the API's limits, only unseen task definition revisions described.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::sync::{Arc, Mutex};

use assetql_model::{Cluster, Service, Task, TaskDefinition};
use aws_sdk_ecs::types::{
    ClusterField, DesiredStatus, ServiceField, TaskDefinitionField, TaskDefinitionStatus, TaskField,
};
use aws_sdk_ecs::Client;
use tokio::sync::Semaphore;

use crate::convert;
use crate::error::CollectError;

/// AWS API calls made, by operation; shared by the concurrent parts of a run.
#[derive(Debug, Clone, Default)]
pub struct ApiCalls(Arc<Mutex<BTreeMap<String, u64>>>);

impl ApiCalls {
    /// Counts one call of `operation`.
    pub fn count(&self, operation: &str) {
        if let Ok(mut calls) = self.0.lock() {
            *calls.entry(operation.to_owned()).or_default() += 1;
        }
    }

    /// The counts so far.
    pub fn snapshot(&self) -> BTreeMap<String, u64> {
        self.0.lock().map(|c| c.clone()).unwrap_or_default()
    }
}

/// Everything one scope's listing found.
#[derive(Debug, Default)]
pub struct ScopeListing {
    /// Clusters with settings and tags.
    pub clusters: Vec<Cluster>,
    /// Services with network configuration and tags.
    pub services: Vec<Service>,
    /// Tasks whose last status is RUNNING.
    pub tasks: Vec<Task>,
    /// Revisions described in this run (new to the store, or referenced but not listed).
    pub described: Vec<TaskDefinition>,
    /// Listed revisions already stored, with the status their listing gave.
    pub listed_stored: Vec<(String, Option<String>)>,
}

/// Reads one scope through `ecs` (a client for the scope's account and region). `stored` holds
/// the revision ARNs the store already has for this scope; they are not described again.
pub async fn collect_scope(
    ecs: &Client,
    stored: &HashSet<String>,
    calls: &ApiCalls,
    describe_concurrency: usize,
) -> Result<ScopeListing, CollectError> {
    let mut listing = ScopeListing::default();

    // Clusters.
    let mut cluster_arns = Vec::new();
    let mut pages = ecs.list_clusters().into_paginator().send();
    while let Some(page) = pages.next().await {
        calls.count("ListClusters");
        cluster_arns.extend(
            page.map_err(|e| CollectError::api("ListClusters", e))?
                .cluster_arns()
                .iter()
                .cloned(),
        );
    }
    for chunk in cluster_arns.chunks(100) {
        calls.count("DescribeClusters");
        let out = ecs
            .describe_clusters()
            .set_clusters(Some(chunk.to_vec()))
            .include(ClusterField::Settings)
            .include(ClusterField::Tags)
            .send()
            .await
            .map_err(|e| CollectError::api("DescribeClusters", e))?;
        for cluster in out.clusters() {
            listing.clusters.push(convert::cluster(cluster)?);
        }
    }

    // Services and running tasks, per cluster.
    let mut seen_tasks = BTreeSet::new();
    for cluster_arn in &cluster_arns {
        let mut service_arns = Vec::new();
        let mut pages = ecs
            .list_services()
            .cluster(cluster_arn)
            .into_paginator()
            .send();
        while let Some(page) = pages.next().await {
            calls.count("ListServices");
            service_arns.extend(
                page.map_err(|e| CollectError::api("ListServices", e))?
                    .service_arns()
                    .iter()
                    .cloned(),
            );
        }
        for chunk in service_arns.chunks(10) {
            calls.count("DescribeServices");
            let out = ecs
                .describe_services()
                .cluster(cluster_arn)
                .set_services(Some(chunk.to_vec()))
                .include(ServiceField::Tags)
                .send()
                .await
                .map_err(|e| CollectError::api("DescribeServices", e))?;
            for service in out.services() {
                listing.services.push(convert::service(service)?);
            }
        }

        let mut task_arns = Vec::new();
        let mut pages = ecs
            .list_tasks()
            .cluster(cluster_arn)
            .desired_status(DesiredStatus::Running)
            .into_paginator()
            .send();
        while let Some(page) = pages.next().await {
            calls.count("ListTasks");
            task_arns.extend(
                page.map_err(|e| CollectError::api("ListTasks", e))?
                    .task_arns()
                    .iter()
                    .cloned(),
            );
        }
        for chunk in task_arns.chunks(100) {
            calls.count("DescribeTasks");
            let out = ecs
                .describe_tasks()
                .cluster(cluster_arn)
                .set_tasks(Some(chunk.to_vec()))
                .include(TaskField::Tags)
                .send()
                .await
                .map_err(|e| CollectError::api("DescribeTasks", e))?;
            for task in out.tasks() {
                // Only RUNNING tasks count as "in use"; a task listed under another cluster
                // (some fakes match clusters by substring) is taken from its own cluster.
                let running = task.last_status() == Some("RUNNING");
                let own_cluster = task.cluster_arn().is_none_or(|c| c == cluster_arn);
                if running
                    && own_cluster
                    && seen_tasks.insert(task.task_arn().unwrap_or_default().to_owned())
                {
                    listing.tasks.push(convert::task(task)?);
                }
            }
        }
    }

    // Task definition revisions: the ACTIVE and INACTIVE listings, plus those running tasks and
    // services refer to (an INACTIVE or deleting revision can still run).
    let mut listed: BTreeMap<String, Option<String>> = BTreeMap::new();
    for status in [TaskDefinitionStatus::Active, TaskDefinitionStatus::Inactive] {
        let mut pages = ecs
            .list_task_definitions()
            .status(status.clone())
            .into_paginator()
            .send();
        while let Some(page) = pages.next().await {
            calls.count("ListTaskDefinitions");
            for arn in page
                .map_err(|e| CollectError::api("ListTaskDefinitions", e))?
                .task_definition_arns()
            {
                listed.insert(arn.clone(), Some(status.as_str().to_owned()));
            }
        }
    }
    let referenced: BTreeSet<String> = listing
        .tasks
        .iter()
        .filter_map(|t| t.task_definition_arn.clone())
        .chain(
            listing
                .services
                .iter()
                .filter_map(|s| s.task_definition_arn.clone()),
        )
        .collect();
    let mut to_describe: Vec<String> = Vec::new();
    for (arn, status) in &listed {
        if stored.contains(arn) {
            listing.listed_stored.push((arn.clone(), status.clone()));
        } else {
            to_describe.push(arn.clone());
        }
    }
    // Referenced but in neither listing: its status is unknown, so describe it even if stored.
    to_describe.extend(
        referenced
            .into_iter()
            .filter(|arn| !listed.contains_key(arn)),
    );

    let permits = Arc::new(Semaphore::new(describe_concurrency.max(1)));
    let mut jobs = tokio::task::JoinSet::new();
    for arn in to_describe {
        let ecs = ecs.clone();
        let calls = calls.clone();
        let permits = Arc::clone(&permits);
        jobs.spawn(async move {
            let _permit = permits.acquire_owned().await;
            calls.count("DescribeTaskDefinition");
            let out = ecs
                .describe_task_definition()
                .task_definition(&arn)
                .include(TaskDefinitionField::Tags)
                .send()
                .await
                .map_err(|e| CollectError::api("DescribeTaskDefinition", e))?;
            let definition = out.task_definition().ok_or(CollectError::Malformed {
                what: "task definition",
                reason: format!("DescribeTaskDefinition({arn}) returned no task definition"),
            })?;
            convert::task_definition(definition, out.tags())
        });
    }
    while let Some(joined) = jobs.join_next().await {
        let described = joined.map_err(|e| CollectError::Malformed {
            what: "describe task",
            reason: e.to_string(),
        })??;
        listing.described.push(described);
    }
    Ok(listing)
}
