//! What a moto server cannot do: multi-page listings and throttling. The SDK client here is
//! wired to `aws-smithy-mocks` rules that answer per request.

use std::collections::HashMap;
use std::time::Duration;

use assetql_ingest::{collect_scope, ApiCalls, CollectError};
use aws_sdk_ecs::config::retry::RetryConfig;
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

const THROTTLED: &str = r#"{"__type":"ThrottlingException","message":"Rate exceeded"}"#;

fn arn(resource: &str) -> String {
    format!("arn:aws:ecs:us-east-1:111111111111:{resource}")
}

/// [`answer`] for rules that answer the same every time.
fn http_answer(body: &Json) -> HttpResponse {
    HttpResponse::new(
        StatusCode::try_from(200).expect("status"),
        SdkBody::from(body.to_string()),
    )
}

/// An answer as ECS sends it: the collector stores what the JSON body says, so Describe* calls
/// are answered over (mocked) HTTP, not with typed outputs.
fn answer<O, E>(body: Json) -> MockResponse<O, E> {
    MockResponse::Http(HttpResponse::new(
        StatusCode::try_from(200).expect("status"),
        SdkBody::from(body.to_string()),
    ))
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
        mock!(Client::describe_clusters).then_compute_response(|r| {
            let clusters: Vec<Json> = r
                .clusters()
                .iter()
                .map(|a| json!({"clusterArn": a, "clusterName": a.rsplit('/').next()}))
                .collect();
            answer(json!({ "clusters": clusters, "failures": [] }))
        }),
        mock!(Client::list_services).then_output(|| ListServicesOutput::builder().build()),
        mock!(Client::list_container_instances)
            .then_output(|| ListContainerInstancesOutput::builder().build()),
        mock!(Client::describe_capacity_providers)
            .then_http_response(|| http_answer(&json!({"capacityProviders": [], "failures": []}))),
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
        mock!(Client::describe_tasks).then_compute_response(|r| {
            let tasks: Vec<Json> = r
                .tasks()
                .iter()
                .map(|t| {
                    json!({
                        "taskArn": t,
                        "clusterArn": arn("cluster/a"),
                        "taskDefinitionArn": arn("task-definition/web:3"),
                        "lastStatus": if t.ends_with('2') { "STOPPED" } else { "RUNNING" },
                    })
                })
                .collect();
            answer(json!({ "tasks": tasks, "failures": [] }))
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
        mock!(Client::list_task_definitions)
            .then_output(|| ListTaskDefinitionsOutput::builder().build()),
        mock!(Client::describe_task_definition).then_compute_response(|r| {
            let requested = r.task_definition().unwrap_or_default().to_owned();
            let revision: i64 = requested
                .rsplit(':')
                .next()
                .and_then(|n| n.parse().ok())
                .unwrap_or(0);
            answer(json!({
                "taskDefinition": {
                    "taskDefinitionArn": requested,
                    "family": "web",
                    "revision": revision,
                    "status": "ACTIVE",
                    "containerDefinitions": [{"name": "app", "privileged": true}],
                },
                "tags": [{"key": "team", "value": "web"}],
            }))
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
    // web:1 is stored already with the status it is listed with: not described again.
    let stored: HashMap<String, Option<String>> =
        [(arn("task-definition/web:1"), Some("ACTIVE".to_owned()))].into();
    let listing = collect_scope(&ecs, &stored, &calls, 4)
        .await
        .expect("collects");

    let text = |doc: &Json, key: &str| doc[key].as_str().expect("text").to_owned();
    let clusters: Vec<String> = listing
        .clusters
        .iter()
        .map(|c| text(c, "clusterName"))
        .collect();
    assert_eq!(clusters, ["a", "b"], "both ListClusters pages");
    assert_eq!(rules[0].num_calls(), 2, "the throttled call was retried");
    let tasks: Vec<String> = listing.tasks.iter().map(|t| text(t, "taskArn")).collect();
    assert_eq!(
        tasks,
        [arn("task/a/1")],
        "both ListTasks pages; the STOPPED task is dropped"
    );
    assert_eq!(listing.unchanged, vec![arn("task-definition/web:1")]);
    let mut described: Vec<String> = listing
        .described
        .iter()
        .map(|d| text(d, "taskDefinitionArn"))
        .collect();
    described.sort_unstable();
    // web:2 from the second listing page; web:3 only because a running task uses it.
    assert_eq!(
        described,
        [arn("task-definition/web:2"), arn("task-definition/web:3")]
    );
    assert_eq!(
        listing.described[0]["containerDefinitions"][0]["privileged"],
        true
    );
    // The revision's tags, beside it in the answer, are read inside it like any asset's.
    assert_eq!(listing.described[0]["tags"][0]["value"], "web");

    let counted = calls.snapshot();
    assert_eq!(
        counted["ListClusters"], 2,
        "pages are counted, retries are the SDK's"
    );
    assert_eq!(
        counted["ListTaskDefinitions"], 4,
        "ACTIVE (2 pages), INACTIVE, DELETE_IN_PROGRESS"
    );
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
    let error = collect_scope(&ecs, &HashMap::new(), &ApiCalls::default(), 4)
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

#[tokio::test]
async fn an_asset_ecs_could_not_describe_fails_the_scope_instead_of_vanishing() {
    let failing = vec![
        mock!(Client::list_clusters).then_output(|| {
            ListClustersOutput::builder()
                .cluster_arns(arn("cluster/a"))
                .cluster_arns(arn("cluster/gone"))
                .build()
        }),
        mock!(Client::describe_clusters).then_http_response(|| {
            http_answer(&json!({"clusters": [], "failures": [
                {"arn": arn("cluster/gone"), "reason": "MISSING"},
                {"arn": arn("cluster/a"), "reason": "ACCESS_DENIED"}
            ]}))
        }),
    ];
    let ecs = client(&failing, 1);
    let error = collect_scope(&ecs, &HashMap::new(), &ApiCalls::default(), 4)
        .await
        .expect_err("an undescribed cluster is not an absent one");
    let text = error.to_string();
    assert!(text.contains("cluster/a (ACCESS_DENIED)"), "{text}");
    assert!(
        !text.contains("cluster/gone"),
        "MISSING is an asset gone since the listing: {text}"
    );
}
