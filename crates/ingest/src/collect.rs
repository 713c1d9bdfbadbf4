//! Reading one scope (account x region) from ECS: every paginator followed to the end, batches at
//! the API's limits, only unseen or changed task definition revisions described.
//!
//! Each Describe* answer is kept as the JSON the service sent ([`Capture`]): the catalogue reads
//! the inventory's rows from that shape (docs/decisions/0005), so no field is converted here.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::{Arc, Mutex};

use aws_sdk_ecs::types::{
    CapacityProviderField, ClusterField, ContainerInstanceField, DesiredStatus, ServiceField,
    TaskDefinitionField, TaskDefinitionStatus, TaskField,
};
use aws_sdk_ecs::Client;
use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::context::AfterDeserializationInterceptorContextRef;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;
use serde_json::Value as Json;
use tokio::sync::Semaphore;

use crate::error::CollectError;

/// Keeps the body of the answer to the one call it is attached to (`customize().interceptor`).
/// The SDK has read the whole body into memory before it deserializes, so the body is there to
/// read after deserialization; the typed output is not used for what is stored.
#[derive(Debug, Clone, Default)]
struct Capture(Arc<Mutex<Option<Vec<u8>>>>);

impl Intercept for Capture {
    fn name(&self) -> &'static str {
        "assetql::Capture"
    }

    fn read_after_deserialization(
        &self,
        context: &AfterDeserializationInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let body = context
            .inner()
            .response()
            .and_then(|r| r.body().bytes())
            .map(<[u8]>::to_vec);
        if let Ok(mut slot) = self.0.lock() {
            *slot = body;
        }
        Ok(())
    }
}

impl Capture {
    /// The captured answer as JSON. No body (a client that answers without HTTP) or a body
    /// that is not a JSON object fails the call: nothing is stored from a guess.
    fn json(&self, operation: &'static str) -> Result<Json, CollectError> {
        let body = self.0.lock().ok().and_then(|mut slot| slot.take());
        let malformed = |reason: String| CollectError::Malformed {
            what: operation,
            reason,
        };
        let body = body.ok_or_else(|| malformed("the answer had no body to read".to_owned()))?;
        match serde_json::from_slice::<Json>(&body) {
            Ok(json @ Json::Object(_)) => {
                // A Describe* answer lists what it could not describe under `failures`. MISSING
                // is an asset gone since it was listed; any other reason would leave a listed
                // asset out of the inventory as if it did not exist, so the scope fails.
                let failed: Vec<String> = json
                    .get("failures")
                    .and_then(Json::as_array)
                    .into_iter()
                    .flatten()
                    .filter(|f| f.get("reason").and_then(Json::as_str) != Some("MISSING"))
                    .map(|f| {
                        format!(
                            "{} ({})",
                            f.get("arn").and_then(Json::as_str).unwrap_or("?"),
                            f.get("reason")
                                .and_then(Json::as_str)
                                .unwrap_or("no reason")
                        )
                    })
                    .collect();
                if failed.is_empty() {
                    Ok(json)
                } else {
                    Err(malformed(format!(
                        "ECS could not describe {}",
                        failed.join(", ")
                    )))
                }
            }
            Ok(_) => Err(malformed("the answer is not a JSON object".to_owned())),
            Err(e) => Err(malformed(format!("the answer is not JSON: {e}"))),
        }
    }
}

/// The items of the list at `key` of an answer (absent: none).
fn items(mut answer: Json, key: &str) -> Vec<Json> {
    match answer.get_mut(key).map(Json::take) {
        Some(Json::Array(items)) => items,
        _ => Vec::new(),
    }
}

fn text<'a>(doc: &'a Json, key: &str) -> Option<&'a str> {
    doc.get(key).and_then(Json::as_str)
}

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

/// Everything one scope's listing found, each asset as the API's JSON (tags inline).
#[derive(Debug, Default)]
pub struct ScopeListing {
    /// Clusters with settings and tags.
    pub clusters: Vec<Json>,
    /// Services with tags.
    pub services: Vec<Json>,
    /// Task sets, as DescribeServices answers them inside their services.
    pub task_sets: Vec<Json>,
    /// Capacity providers of the account and region (FARGATE and FARGATE_SPOT included).
    pub capacity_providers: Vec<Json>,
    /// Container instances, each with the `clusterArn` it was listed under.
    pub container_instances: Vec<Json>,
    /// Tasks whose last status is RUNNING.
    pub tasks: Vec<Json>,
    /// Revisions described in this run (new to the store, changed status, stored under an
    /// older description, or referenced but not listed).
    pub described: Vec<Json>,
    /// Revisions stored and listed again with the same status: seen, not described.
    pub unchanged: Vec<String>,
}

/// Reads one scope through `ecs` (a client for the scope's account and region). `stored` holds
/// the revisions the store already has for this scope under the current description, with
/// their status; one listed with the same status is not described again.
pub async fn collect_scope(
    ecs: &Client,
    stored: &HashMap<String, Option<String>>,
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
        let capture = Capture::default();
        ecs.describe_clusters()
            .set_clusters(Some(chunk.to_vec()))
            .include(ClusterField::Settings)
            .include(ClusterField::Configurations)
            .include(ClusterField::Tags)
            .customize()
            .interceptor(capture.clone())
            .send()
            .await
            .map_err(|e| CollectError::api("DescribeClusters", e))?;
        listing
            .clusters
            .extend(items(capture.json("DescribeClusters")?, "clusters"));
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
            let capture = Capture::default();
            ecs.describe_services()
                .cluster(cluster_arn)
                .set_services(Some(chunk.to_vec()))
                .include(ServiceField::Tags)
                .customize()
                .interceptor(capture.clone())
                .send()
                .await
                .map_err(|e| CollectError::api("DescribeServices", e))?;
            for service in items(capture.json("DescribeServices")?, "services") {
                // A service's task sets come inside it (CODE_DEPLOY and EXTERNAL deployment
                // controllers); they are assets of their own.
                if let Some(Json::Array(sets)) = service.get("taskSets") {
                    listing.task_sets.extend(sets.iter().cloned());
                }
                listing.services.push(service);
            }
        }

        let mut instance_arns = Vec::new();
        let mut pages = ecs
            .list_container_instances()
            .cluster(cluster_arn)
            .into_paginator()
            .send();
        while let Some(page) = pages.next().await {
            calls.count("ListContainerInstances");
            instance_arns.extend(
                page.map_err(|e| CollectError::api("ListContainerInstances", e))?
                    .container_instance_arns()
                    .iter()
                    .cloned(),
            );
        }
        for chunk in instance_arns.chunks(100) {
            calls.count("DescribeContainerInstances");
            let capture = Capture::default();
            ecs.describe_container_instances()
                .cluster(cluster_arn)
                .set_container_instances(Some(chunk.to_vec()))
                .include(ContainerInstanceField::Tags)
                .customize()
                .interceptor(capture.clone())
                .send()
                .await
                .map_err(|e| CollectError::api("DescribeContainerInstances", e))?;
            for mut instance in items(
                capture.json("DescribeContainerInstances")?,
                "containerInstances",
            ) {
                // The answer does not say which cluster an instance is in: it is the one it
                // was listed under.
                if let Json::Object(fields) = &mut instance {
                    fields.insert("clusterArn".to_owned(), Json::from(cluster_arn.as_str()));
                }
                listing.container_instances.push(instance);
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
            let capture = Capture::default();
            ecs.describe_tasks()
                .cluster(cluster_arn)
                .set_tasks(Some(chunk.to_vec()))
                .include(TaskField::Tags)
                .customize()
                .interceptor(capture.clone())
                .send()
                .await
                .map_err(|e| CollectError::api("DescribeTasks", e))?;
            for task in items(capture.json("DescribeTasks")?, "tasks") {
                // Only RUNNING tasks count as "in use"; a task listed under another cluster
                // (some fakes match clusters by substring) is taken from its own cluster.
                let running = text(&task, "lastStatus") == Some("RUNNING");
                let own_cluster = text(&task, "clusterArn").is_none_or(|c| c == cluster_arn);
                let arn = text(&task, "taskArn").unwrap_or_default().to_owned();
                if running && own_cluster && seen_tasks.insert(arn) {
                    listing.tasks.push(task);
                }
            }
        }
    }

    // Capacity providers: one paginated Describe (up to 10 per page) lists them all.
    let mut next_token: Option<String> = None;
    loop {
        calls.count("DescribeCapacityProviders");
        let capture = Capture::default();
        ecs.describe_capacity_providers()
            .include(CapacityProviderField::Tags)
            .max_results(10)
            .set_next_token(next_token.take())
            .customize()
            .interceptor(capture.clone())
            .send()
            .await
            .map_err(|e| CollectError::api("DescribeCapacityProviders", e))?;
        let mut answer = capture.json("DescribeCapacityProviders")?;
        next_token = answer
            .get("nextToken")
            .and_then(Json::as_str)
            .filter(|t| !t.is_empty())
            .map(str::to_owned);
        listing
            .capacity_providers
            .extend(items(answer.take(), "capacityProviders"));
        if next_token.is_none() {
            break;
        }
    }

    // Task definition revisions: the ACTIVE, INACTIVE and DELETE_IN_PROGRESS listings, plus
    // those running tasks and services refer to (listed or not, a revision can still run).
    let mut listed: BTreeMap<String, String> = BTreeMap::new();
    for status in [
        TaskDefinitionStatus::Active,
        TaskDefinitionStatus::Inactive,
        TaskDefinitionStatus::DeleteInProgress,
    ] {
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
                listed.insert(arn.clone(), status.as_str().to_owned());
            }
        }
    }
    let referenced: BTreeSet<String> = listing
        .tasks
        .iter()
        .filter_map(|t| text(t, "taskDefinitionArn"))
        .chain(listing.services.iter().flat_map(|s| {
            let deployments = s.get("deployments").and_then(Json::as_array);
            text(s, "taskDefinition").into_iter().chain(
                deployments
                    .into_iter()
                    .flatten()
                    .filter_map(|d| text(d, "taskDefinition")),
            )
        }))
        .chain(
            listing
                .task_sets
                .iter()
                .filter_map(|t| text(t, "taskDefinition")),
        )
        .map(str::to_owned)
        .collect();
    let mut to_describe: Vec<String> = Vec::new();
    for (arn, status) in &listed {
        match stored.get(arn) {
            Some(Some(stored_status)) if stored_status == status => {
                listing.unchanged.push(arn.clone());
            }
            _ => to_describe.push(arn.clone()),
        }
    }
    // Referenced but in no listing: its status is unknown, so describe it even if stored.
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
            let capture = Capture::default();
            ecs.describe_task_definition()
                .task_definition(&arn)
                .include(TaskDefinitionField::Tags)
                .customize()
                .interceptor(capture.clone())
                .send()
                .await
                .map_err(|e| CollectError::api("DescribeTaskDefinition", e))?;
            let mut answer = capture.json("DescribeTaskDefinition")?;
            let tags = answer.get_mut("tags").map(Json::take);
            match answer.get_mut("taskDefinition").map(Json::take) {
                Some(Json::Object(mut definition)) => {
                    // The revision's tags come beside it in the answer; the catalogue reads
                    // them inside, as on every other asset.
                    if let Some(tags) = tags {
                        definition.insert("tags".to_owned(), tags);
                    }
                    Ok(Json::Object(definition))
                }
                _ => Err(CollectError::Malformed {
                    what: "task definition",
                    reason: format!("DescribeTaskDefinition({arn}) returned no task definition"),
                }),
            }
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
