//! Terraform plans (`terraform show -json plan.out`): the ECS resources of the root module and
//! of every child module, as they will be after apply. A value Terraform knows only after
//! apply (`after_unknown`) is unknown, except a reference to another resource of the plan
//! (read from the plan's `configuration`), which is linked.

use serde_json::{Map, Value as Json};

use crate::model::{Declared, Kind};
use crate::value::{self, unknown};

/// Whether `doc` is a plan.
pub fn is_plan(doc: &Json) -> bool {
    doc.get("format_version").is_some()
        && (doc.get("resource_changes").is_some() || doc.get("planned_values").is_some())
}

/// The kind of a Terraform resource type.
pub(crate) fn kind_of(ty: &str) -> Option<Kind> {
    Some(match ty {
        "aws_ecs_task_definition" => Kind::TaskDefinition,
        "aws_ecs_service" => Kind::Service,
        "aws_ecs_cluster" => Kind::Cluster,
        "aws_ecs_task_set" => Kind::TaskSet,
        "aws_ecs_capacity_provider" => Kind::CapacityProvider,
        _ => return None,
    })
}

/// `after` with every attribute `after_unknown` marks replaced by an unknown marker.
fn mark_unknown(after: &Json, unknowns: &Json, path: &str) -> Json {
    if unknowns == &Json::Bool(true) {
        return unknown(path);
    }
    match (after, unknowns) {
        (Json::Object(values), Json::Object(marks)) => {
            let mut out = Map::new();
            for (k, v) in values {
                let child = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                out.insert(
                    k.clone(),
                    marks
                        .get(k)
                        .map_or_else(|| v.clone(), |m| mark_unknown(v, m, &child)),
                );
            }
            // Attributes known only after apply are absent from `after`.
            for (k, m) in marks {
                if m == &Json::Bool(true) && !out.contains_key(k) {
                    let child = if path.is_empty() {
                        k.clone()
                    } else {
                        format!("{path}.{k}")
                    };
                    out.insert(k.clone(), unknown(&child));
                }
            }
            Json::Object(out)
        }
        (Json::Array(items), Json::Array(marks)) => Json::Array(
            items
                .iter()
                .enumerate()
                .map(|(i, v)| {
                    marks.get(i).map_or_else(
                        || v.clone(),
                        |m| mark_unknown(v, m, &format!("{path}[{i}]")),
                    )
                })
                .collect(),
        ),
        _ => after.clone(),
    }
}

/// Blocks Terraform writes as one-element lists that the API has as objects.
const SINGLE_BLOCKS: &[&str] = &[
    "runtimePlatform",
    "ephemeralStorage",
    "dockerVolumeConfiguration",
    "efsVolumeConfiguration",
    "fsxWindowsFileServerVolumeConfiguration",
    "authorizationConfig",
    "proxyConfiguration",
    "networkConfiguration",
    "configuration",
    "executeCommandConfiguration",
    "logConfiguration",
    "autoScalingGroupProvider",
    "managedScaling",
    "scale",
    "deploymentCircuitBreaker",
    "deploymentController",
];

fn unwrap_blocks(value: &mut Json) {
    match value {
        Json::Object(map) => {
            for (k, v) in map.iter_mut() {
                if SINGLE_BLOCKS.contains(&k.as_str()) {
                    if let Json::Array(items) = v {
                        *v = items.first().cloned().unwrap_or(Json::Null);
                    }
                }
                unwrap_blocks(v);
            }
        }
        Json::Array(items) => items.iter_mut().for_each(unwrap_blocks),
        _ => {}
    }
}

fn rename(map: &mut Map<String, Json>, from: &str, to: &str) {
    if let Some(v) = map.remove(from) {
        map.insert(to.to_owned(), v);
    }
}

/// The awsvpc block of a service or task set as the API nests it.
fn awsvpc(map: &mut Map<String, Json>) {
    if let Some(Json::Object(mut network)) = map.remove("networkConfiguration") {
        if let Some(flag) = network.remove("assignPublicIp") {
            let flag = match flag {
                Json::Bool(true) => Json::String("ENABLED".to_owned()),
                Json::Bool(false) => Json::String("DISABLED".to_owned()),
                other => other,
            };
            network.insert("assignPublicIp".to_owned(), flag);
        }
        map.insert(
            "networkConfiguration".to_owned(),
            serde_json::json!({ "awsvpcConfiguration": Json::Object(network) }),
        );
    }
}

fn tags(map: &mut Map<String, Json>) {
    // `tags_all` adds the provider's default tags: what the resource will carry.
    let all = map.remove("tagsAll");
    let tags = match (all, map.remove("tags")) {
        (Some(all), _) if value::unknown_property(&all).is_none() && !all.is_null() => all,
        (_, Some(tags)) => tags,
        (Some(all), None) => all,
        (None, None) => return,
    };
    map.insert("tags".to_owned(), value::tags_from_map(&tags));
}

/// The API shape of one resource's `after` values.
pub(crate) fn api_of(kind: Kind, after: &Json) -> Json {
    let mut api = value::api_from_terraform(after);
    unwrap_blocks(&mut api);
    let Json::Object(map) = &mut api else {
        return api;
    };
    tags(map);
    match kind {
        Kind::TaskDefinition => {
            if let Some(definitions) = map.remove("containerDefinitions") {
                let parsed = match &definitions {
                    Json::String(text) => serde_json::from_str(text)
                        .unwrap_or_else(|_| unknown("container_definitions")),
                    other => other.clone(),
                };
                map.insert("containerDefinitions".to_owned(), parsed);
            }
            if let Some(Json::Array(volumes)) = map.remove("volume") {
                let volumes = volumes
                    .into_iter()
                    .map(|mut v| {
                        if let Json::Object(volume) = &mut v {
                            if let Some(path) = volume.remove("hostPath") {
                                if path.as_str().is_some_and(|p| !p.is_empty()) {
                                    volume.insert(
                                        "host".to_owned(),
                                        serde_json::json!({ "sourcePath": path }),
                                    );
                                }
                            }
                        }
                        v
                    })
                    .collect();
                map.insert("volumes".to_owned(), Json::Array(volumes));
            }
            if let Some(Json::Object(proxy)) = map.get_mut("proxyConfiguration") {
                if let Some(Json::Object(properties)) = proxy.remove("properties") {
                    proxy.insert(
                        "properties".to_owned(),
                        Json::Array(
                            properties
                                .into_iter()
                                .map(|(k, v)| serde_json::json!({"name": k, "value": v}))
                                .collect(),
                        ),
                    );
                }
            }
        }
        Kind::Service => {
            rename(map, "name", "serviceName");
            rename(map, "cluster", "clusterArn");
            rename(map, "loadBalancer", "loadBalancers");
            awsvpc(map);
        }
        Kind::Cluster => {
            rename(map, "name", "clusterName");
            rename(map, "setting", "settings");
        }
        Kind::TaskSet => {
            rename(map, "cluster", "clusterArn");
            rename(map, "service", "serviceArn");
            rename(map, "loadBalancer", "loadBalancers");
            awsvpc(map);
        }
        Kind::CapacityProvider => {}
    }
    api
}

/// The configuration block of `address` (`module.a.module.b.aws_x.y`), to follow references.
fn configuration<'a>(doc: &'a Json, address: &str) -> Option<&'a Json> {
    let mut module = doc.get("configuration")?.get("root_module")?;
    let mut parts: Vec<&str> = address.split('.').collect();
    while parts.first() == Some(&"module") && parts.len() > 3 {
        let name = parts[1].split('[').next()?;
        module = module.get("module_calls")?.get(name)?.get("module")?;
        parts.drain(..2);
    }
    let local = parts.join(".");
    let local = local.split('[').next()?;
    module
        .get("resources")?
        .as_array()?
        .iter()
        .find(|r| r.get("address").and_then(Json::as_str) == Some(local))
}

/// The resource of the plan an unknown attribute refers to (`aws_ecs_task_definition.app`),
/// with its module prefix.
fn referenced(doc: &Json, address: &str, attribute: &str) -> Option<String> {
    let config = configuration(doc, address)?;
    let references = config
        .get("expressions")?
        .get(attribute)?
        .get("references")?
        .as_array()?;
    let prefix = address
        .rfind("aws_")
        .map(|i| &address[..i])
        .unwrap_or_default();
    references.iter().filter_map(Json::as_str).find_map(|r| {
        let parts: Vec<&str> = r.split('.').collect();
        (parts.len() >= 2 && kind_of(parts[0]).is_some())
            .then(|| format!("{prefix}{}.{}", parts[0], parts[1]))
    })
}

/// The ECS resources of plan `doc` from `file`; `line_of` finds an address's line.
pub fn declared(file: &str, doc: &Json, line_of: &dyn Fn(&str) -> usize) -> Vec<Declared> {
    let mut out = Vec::new();
    let Some(changes) = doc.get("resource_changes").and_then(Json::as_array) else {
        return out;
    };
    for change in changes {
        if change.get("mode").and_then(Json::as_str) != Some("managed") {
            continue;
        }
        let Some(kind) = change.get("type").and_then(Json::as_str).and_then(kind_of) else {
            continue;
        };
        let Some(address) = change.get("address").and_then(Json::as_str) else {
            continue;
        };
        let Some(body) = change.get("change") else {
            continue;
        };
        let actions: Vec<&str> = body
            .get("actions")
            .and_then(Json::as_array)
            .map(|a| a.iter().filter_map(Json::as_str).collect())
            .unwrap_or_default();
        if actions == ["delete"] {
            continue;
        }
        let after = body.get("after").cloned().unwrap_or(Json::Null);
        let unknowns = body.get("after_unknown").cloned().unwrap_or(Json::Null);
        let mut unknowns = unknowns;
        if let Json::Object(marks) = &mut unknowns {
            // What AWS assigns on create (the check gives each resource an identity of its own).
            for computed in ["arn", "id", "revision"] {
                marks.remove(computed);
            }
        }
        let marked = mark_unknown(&after, &unknowns, "");
        let mut api = api_of(kind, &marked);
        let mut links = Vec::new();
        if let Json::Object(map) = &mut api {
            for (key, attribute) in [
                ("taskDefinition", "task_definition"),
                ("clusterArn", "cluster"),
                ("serviceArn", "service"),
            ] {
                let is_unknown = map
                    .get(key)
                    .is_some_and(|v| value::unknown_property(v).is_some());
                if is_unknown {
                    if let Some(target) = referenced(doc, address, attribute) {
                        links.push((key.to_owned(), target));
                    }
                }
            }
            if kind == Kind::TaskDefinition && !map.contains_key("family") {
                map.insert("family".to_owned(), Json::String(address.to_owned()));
            }
        }
        out.push(Declared {
            file: file.to_owned(),
            resource: address.to_owned(),
            line: line_of(address),
            kind,
            api,
            links,
        });
    }
    out
}
