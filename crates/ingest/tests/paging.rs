//! What a moto server cannot do: multi-page listings and throttling. The SDK client here is
//! wired to `aws-smithy-mocks` rules that answer per request.

use std::collections::HashSet;
use std::time::Duration;

use assetql_ingest::{collect_scope, ApiCalls, CollectError};
use aws_sdk_ecs::config::retry::RetryConfig;
use aws_sdk_ecs::operation::describe_clusters::DescribeClustersOutput;
use aws_sdk_ecs::operation::describe_task_definition::DescribeTaskDefinitionOutput;
use aws_sdk_ecs::operation::describe_tasks::DescribeTasksOutput;
use aws_sdk_ecs::operation::list_clusters::ListClustersOutput;
use aws_sdk_ecs::operation::list_services::ListServicesOutput;
use aws_sdk_ecs::operation::list_task_definitions::ListTaskDefinitionsOutput;
use aws_sdk_ecs::operation::list_tasks::ListTasksOutput;
use aws_sdk_ecs::types::{
    Cluster, ContainerDefinition, Task, TaskDefinition, TaskDefinitionStatus,
};
use aws_sdk_ecs::Client;
use aws_smithy_mocks::{mock, mock_client, Rule, RuleMode};

const THROTTLED: &str = r#"{"__type":"ThrottlingException","message":"Rate exceeded"}"#;

fn arn(resource: &str) -> String {
    format!("arn:aws:ecs:us-east-1:111111111111:{resource}")
}

/// Every listing in pages of one item; the first ListClusters call is throttled.
fn rules() -> Vec<Rule> {
    vec![
        mock!(Client::list_clusters)
            .match_requests(|r| r.next_token().is_none())
            .sequence()
            .http_status(400, Some(THROTTLED.to_owned()))
            .output(|| {
                ListClustersOutput::builder()
                    .cluster_arns(arn("cluster/a"))
                    .next_token("c2")
                    .build()
            })
            .repeatedly()
            .build(),
        mock!(Client::list_clusters)
            .match_requests(|r| r.next_token() == Some("c2"))
            .then_output(|| {
                ListClustersOutput::builder()
                    .cluster_arns(arn("cluster/b"))
                    .build()
            }),
        mock!(Client::describe_clusters).then_compute_output(|r| {
            let clusters = r
                .clusters()
                .iter()
                .map(|a| {
                    Cluster::builder()
                        .cluster_arn(a)
                        .cluster_name(a.rsplit('/').next().unwrap_or(""))
                        .build()
                })
                .collect();
            DescribeClustersOutput::builder()
                .set_clusters(Some(clusters))
                .build()
        }),
        mock!(Client::list_services).then_output(|| ListServicesOutput::builder().build()),
        mock!(Client::list_tasks)
            .match_requests(|r| r.cluster() == Some(&arn("cluster/a")) && r.next_token().is_none())
            .then_output(|| {
                ListTasksOutput::builder()
                    .task_arns(arn("task/a/1"))
                    .next_token("t2")
                    .build()
            }),
        mock!(Client::list_tasks)
            .match_requests(|r| r.next_token() == Some("t2"))
            .then_output(|| {
                ListTasksOutput::builder()
                    .task_arns(arn("task/a/2"))
                    .build()
            }),
        mock!(Client::list_tasks).then_output(|| ListTasksOutput::builder().build()),
        mock!(Client::describe_tasks).then_compute_output(|r| {
            let tasks = r
                .tasks()
                .iter()
                .map(|t| {
                    Task::builder()
                        .task_arn(t)
                        .cluster_arn(arn("cluster/a"))
                        .task_definition_arn(arn("task-definition/web:3"))
                        .last_status(if t.ends_with('2') {
                            "STOPPED"
                        } else {
                            "RUNNING"
                        })
                        .build()
                })
                .collect();
            DescribeTasksOutput::builder()
                .set_tasks(Some(tasks))
                .build()
        }),
        mock!(Client::list_task_definitions)
            .match_requests(|r| {
                r.status() == Some(&TaskDefinitionStatus::Active) && r.next_token().is_none()
            })
            .then_output(|| {
                ListTaskDefinitionsOutput::builder()
                    .task_definition_arns(arn("task-definition/web:1"))
                    .next_token("d2")
                    .build()
            }),
        mock!(Client::list_task_definitions)
            .match_requests(|r| {
                r.status() == Some(&TaskDefinitionStatus::Active) && r.next_token() == Some("d2")
            })
            .then_output(|| {
                ListTaskDefinitionsOutput::builder()
                    .task_definition_arns(arn("task-definition/web:2"))
                    .build()
            }),
        mock!(Client::list_task_definitions)
            .match_requests(|r| r.status() == Some(&TaskDefinitionStatus::Inactive))
            .then_output(|| ListTaskDefinitionsOutput::builder().build()),
        mock!(Client::describe_task_definition).then_compute_output(|r| {
            let requested = r.task_definition().unwrap_or_default().to_owned();
            DescribeTaskDefinitionOutput::builder()
                .task_definition(
                    TaskDefinition::builder()
                        .task_definition_arn(&requested)
                        .family("web")
                        .revision(
                            requested
                                .rsplit(':')
                                .next()
                                .and_then(|n| n.parse().ok())
                                .unwrap_or(0),
                        )
                        .container_definitions(
                            ContainerDefinition::builder()
                                .name("app")
                                .privileged(true)
                                .build(),
                        )
                        .build(),
                )
                .build()
        }),
    ]
}

fn client(rules: &[Rule], attempts: u32) -> Client {
    mock_client!(aws_sdk_ecs, RuleMode::MatchAny, rules, move |config| config
        .retry_config(
            RetryConfig::standard()
                .with_max_attempts(attempts)
                .with_initial_backoff(Duration::from_millis(1))
        ))
}

#[tokio::test]
async fn every_paginator_is_followed_and_throttling_is_retried() {
    let rules = rules();
    let ecs = client(&rules, 3);
    let calls = ApiCalls::default();
    // web:1 is stored already: listed, not described again.
    let stored: HashSet<String> = [arn("task-definition/web:1")].into();
    let listing = collect_scope(&ecs, &stored, &calls, 4)
        .await
        .expect("collects");

    let clusters: Vec<&str> = listing.clusters.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(clusters, ["a", "b"], "both ListClusters pages");
    assert_eq!(rules[0].num_calls(), 2, "the throttled call was retried");
    let tasks: Vec<&str> = listing.tasks.iter().map(|t| t.arn.as_str()).collect();
    assert_eq!(
        tasks,
        [arn("task/a/1")],
        "both ListTasks pages; the STOPPED task is dropped"
    );
    assert_eq!(
        listing.listed_stored,
        vec![(arn("task-definition/web:1"), Some("ACTIVE".to_owned()))]
    );
    let mut described: Vec<&str> = listing.described.iter().map(|d| d.arn.as_str()).collect();
    described.sort_unstable();
    // web:2 from the second listing page; web:3 only because a running task uses it.
    assert_eq!(
        described,
        [arn("task-definition/web:2"), arn("task-definition/web:3")]
    );
    assert_eq!(listing.described[0].containers[0].privileged, Some(true));

    let counted = calls.snapshot();
    assert_eq!(
        counted["ListClusters"], 2,
        "pages are counted, retries are the SDK's"
    );
    assert_eq!(counted["ListTaskDefinitions"], 3);
    assert_eq!(counted["DescribeTaskDefinition"], 2);
}

#[tokio::test]
async fn throttling_past_the_retries_fails_the_scope_with_the_aws_code() {
    let throttled = vec![mock!(Client::list_clusters)
        .sequence()
        .http_status(400, Some(THROTTLED.to_owned()))
        .repeatedly()
        .build()];
    let ecs = client(&throttled, 2);
    let error = collect_scope(&ecs, &HashSet::new(), &ApiCalls::default(), 4)
        .await
        .expect_err("throttled for good");
    match error {
        CollectError::Api {
            operation, code, ..
        } => {
            assert_eq!(operation, "ListClusters");
            assert_eq!(code, "ThrottlingException");
        }
        other => panic!("unexpected error {other:?}"),
    }
    assert_eq!(
        throttled[0].num_calls(),
        2,
        "max_attempts calls, then the error"
    );
}
