//! Tests of [`super::document`]: rows read from API-shaped documents of each type.

use super::*;
use crate::catalogue::CATALOGUE;
use serde_json::json;

fn ty(name: &str) -> &'static TypeDef {
    TypeDef::named(name).expect("catalogue type")
}

/// A DescribeTaskDefinition answer's `taskDefinition`, with the response's `tags` added, in
/// the API's JSON shape (times as epoch seconds).
fn task_definition() -> Json {
    json!({
        "taskDefinitionArn": "arn:aws:ecs:us-east-1:111111111111:task-definition/web:3",
        "family": "web",
        "revision": 3,
        "status": "ACTIVE",
        "networkMode": "host",
        "cpu": "256",
        "requiresCompatibilities": ["EC2"],
        "registeredAt": 1_767_225_600.5,
        "containerDefinitions": [
            {
                "name": "app",
                "image": "nginx:1",
                "cpu": 128,
                "privileged": true,
                "environment": [
                    {"name": "AWS_SECRET_ACCESS_KEY", "value": "wJalrXUtnFEMI/K7MDENG"},
                    {"name": "EMPTY", "value": ""}
                ],
                "linuxParameters": {"capabilities": {"add": ["SYS_ADMIN"]}}
            },
            {"name": "sidecar", "essential": false}
        ],
        "tags": [{"key": "team", "value": "payments"}]
    })
}

#[test]
fn a_task_definition_is_read_with_its_containers_environment_and_tags() {
    let rows = rows(ty("EcsTaskDefinition"), &task_definition());
    let tables: Vec<&str> = rows.iter().map(|r| r.table).collect();
    assert_eq!(
        tables,
        [
            "ecs_task_definitions",
            "ecs_container_specs",
            "ecs_container_env_entries",
            "ecs_container_env_entries",
            "ecs_container_specs",
            "tags"
        ]
    );
    let definition = &rows[0];
    let arn = "arn:aws:ecs:us-east-1:111111111111:task-definition/web:3";
    assert_eq!(definition.get("arn"), Some(&Cell::Text(arn.to_owned())));
    assert_eq!(definition.get("revision"), Some(&Cell::Int(3)));
    assert_eq!(
        definition.get("network_mode"),
        Some(&Cell::Text("host".into()))
    );
    assert_eq!(definition.get("pid_mode"), Some(&Cell::Null));
    assert_eq!(
        definition.get("requires_compatibilities"),
        Some(&Cell::TextList(vec!["EC2".into()]))
    );
    let registered = DateTime::from_timestamp(1_767_225_600, 500_000_000).expect("time");
    assert_eq!(
        definition.get("registered_at"),
        Some(&Cell::Time(registered))
    );
    let app = &rows[1];
    assert_eq!(
        app.get("task_definition_arn"),
        Some(&Cell::Text(arn.to_owned()))
    );
    assert_eq!(app.get("ordinal"), Some(&Cell::Int(0)));
    assert_eq!(app.get("privileged"), Some(&Cell::Bool(true)));
    // Absent stays null: never `false` or `""`.
    assert_eq!(app.get("readonly_root_filesystem"), Some(&Cell::Null));
    assert_eq!(app.get("user_name"), Some(&Cell::Null));
    assert_eq!(
        app.get("capabilities_add"),
        Some(&Cell::TextList(vec!["SYS_ADMIN".into()]))
    );
    assert_eq!(app.get("capabilities_drop"), Some(&Cell::Null));
    let secret = &rows[2];
    assert_eq!(
        secret.get("container_name"),
        Some(&Cell::Text("app".into()))
    );
    assert_eq!(
        secret.get("name"),
        Some(&Cell::Text("AWS_SECRET_ACCESS_KEY".into()))
    );
    assert_eq!(secret.get("has_value"), Some(&Cell::Bool(true)));
    assert_eq!(rows[3].get("has_value"), Some(&Cell::Bool(false)));
    assert_eq!(rows[3].get("ordinal"), Some(&Cell::Int(1)));
    let sidecar = &rows[4];
    assert_eq!(sidecar.get("ordinal"), Some(&Cell::Int(1)));
    assert_eq!(sidecar.get("essential"), Some(&Cell::Bool(false)));
    assert_eq!(sidecar.get("cpu"), Some(&Cell::Null));
    let tag = &rows[5];
    assert_eq!(tag.get("resource_arn"), Some(&Cell::Text(arn.to_owned())));
    assert_eq!(tag.get("value"), Some(&Cell::Text("payments".into())));
}

#[test]
fn no_value_the_inventory_must_not_hold_is_read() {
    let rows = rows(ty("EcsTaskDefinition"), &task_definition());
    let text = format!("{rows:?}");
    assert!(!text.contains("wJalrXUtnFEMI"), "{text}");
}

#[test]
fn services_tasks_and_clusters_are_read_by_their_descriptions() {
    let service = json!({
        "serviceArn": "arn:aws:ecs:us-east-1:111111111111:service/prod/api",
        "serviceName": "api",
        "desiredCount": 2,
        "createdAt": "2026-01-01T00:00:00Z",
        "networkConfiguration": {"awsvpcConfiguration": {
            "assignPublicIp": "ENABLED", "subnets": ["subnet-1"]}},
    });
    let rows = rows(ty("EcsService"), &service);
    assert_eq!(rows[0].get("name"), Some(&Cell::Text("api".into())));
    assert_eq!(rows[0].get("desired_count"), Some(&Cell::Int(2)));
    let created = DateTime::from_timestamp(1_767_225_600, 0).expect("time");
    assert_eq!(rows[0].get("created_at"), Some(&Cell::Time(created)));
    assert_eq!(rows[1].table, "ecs_service_network_configurations");
    assert_eq!(rows[1].get("assign_public_ip"), Some(&Cell::Bool(true)));
    assert_eq!(rows[1].get("security_groups"), Some(&Cell::Null));
    let task = json!({"taskArn": "arn:aws:ecs:us-east-1:111111111111:task/prod/0abc", "lastStatus": "RUNNING"});
    let rows = super::rows(ty("EcsTask"), &task);
    assert_eq!(rows[0].get("name"), Some(&Cell::Text("0abc".into())));
    let cluster = json!({"clusterArn": "arn:aws:ecs:us-east-1:111111111111:cluster/prod",
        "settings": [{"name": "containerInsights", "value": "enabled"}]});
    let rows = super::rows(ty("EcsCluster"), &cluster);
    assert_eq!(rows[0].get("name"), Some(&Cell::Text("prod".into())));
    assert_eq!(rows[1].get("cluster_arn"), rows[0].get("arn"));
    assert_eq!(rows[1].get("value"), Some(&Cell::Text("enabled".into())));
}

/// Every column a stored type's field reads is described with an API path, except the
/// inventory's own (tenant, account, region, seen times, content hash).
#[test]
fn every_stored_field_says_where_the_api_has_it() {
    let inventory = [
        "tenant_id",
        "cloud_account_id",
        "region",
        "first_seen_at",
        "last_seen_at",
        "content_hash",
    ];
    for ty in CATALOGUE {
        for field in ty.fields {
            let FieldSource::Column(column) = field.source else {
                continue;
            };
            assert!(
                field.api != Api::None || inventory.contains(&column),
                "{}.{} has no API path",
                ty.name,
                field.name
            );
        }
    }
}

#[test]
fn each_row_fills_its_tables_layout_in_order() {
    let ty = ty("EcsTaskDefinition");
    let layouts = layouts(ty);
    for row in rows(ty, &task_definition()) {
        let layout = layouts
            .iter()
            .find(|l| l.table == row.table)
            .expect("a layout for every table written");
        let columns: Vec<&str> = row.cells.iter().map(|(c, _)| *c).collect();
        let expected: Vec<&str> = layout.columns.iter().map(|(c, _)| *c).collect();
        assert_eq!(columns, expected, "{}", row.table);
    }
    // Every child table carries the revision's ARN down, whatever its depth.
    let (own, children) = layouts.split_first().expect("the revision's own table");
    assert_eq!((own.table, own.asset_arn), ("ecs_task_definitions", "arn"));
    for child in children {
        let expected = if child.table == "tags" {
            "resource_arn"
        } else {
            "task_definition_arn"
        };
        assert_eq!(child.asset_arn, expected, "{}", child.table);
    }
    let tables: Vec<&str> = layouts.iter().map(|l| l.table).collect();
    let position = |t: &str| tables.iter().position(|x| *x == t).expect("written");
    assert!(
        position("ecs_container_specs") < position("ecs_container_env_entries"),
        "a parent before its children"
    );
}

#[test]
fn the_content_hash_follows_what_is_stored_and_nothing_else() {
    let ty = ty("EcsTaskDefinition");
    let base = content_hash(&rows(ty, &task_definition()));
    assert_eq!(base, content_hash(&rows(ty, &task_definition())));
    let mut changed = task_definition();
    changed["containerDefinitions"][1]["privileged"] = json!(false);
    assert_ne!(base, content_hash(&rows(ty, &changed)));
    // Not described, so not stored: no change.
    let mut undescribed = task_definition();
    undescribed["somethingNew"] = json!("x");
    undescribed["containerDefinitions"][0]["environment"][0]["value"] = json!("rotated");
    assert_eq!(base, content_hash(&rows(ty, &undescribed)));
}

#[test]
fn the_model_version_is_stable_and_differs_by_type() {
    let td = model_version(ty("EcsTaskDefinition"));
    assert_eq!(td, model_version(ty("EcsTaskDefinition")));
    assert_eq!(td.len(), 16);
    assert_ne!(td, model_version(ty("EcsService")));
}
