//! ECS task-definition JSON: the RegisterTaskDefinition input (what `aws ecs
//! register-task-definition --cli-input-json` and most deploy tools read) and the
//! DescribeTaskDefinition output (`{"taskDefinition": {…}, "tags": […]}`). Both are the API's
//! own shape already.

use serde_json::Value as Json;

use crate::model::{Declared, Kind};

/// The task definition `doc` describes, in the API's shape, when it is one.
fn definition(doc: &Json) -> Option<Json> {
    let looks_like = |d: &Json| {
        d.get("family").is_some_and(Json::is_string)
            && d.get("containerDefinitions").is_some_and(Json::is_array)
    };
    if let Some(inner) = doc.get("taskDefinition").filter(|d| looks_like(d)) {
        let mut api = inner.clone();
        if let (Some(tags), Json::Object(map)) = (doc.get("tags"), &mut api) {
            map.entry("tags").or_insert_with(|| tags.clone());
        }
        return Some(api);
    }
    looks_like(doc).then(|| doc.clone())
}

/// Whether `doc` is a task definition in either shape.
pub fn is_task_definition(doc: &Json) -> bool {
    definition(doc).is_some()
}

/// The task definition of `doc` from `file`, whose block starts at `line`.
pub fn declared(file: &str, doc: &Json, line: usize) -> Option<Declared> {
    let mut api = definition(doc)?;
    let family = api.get("family").and_then(Json::as_str)?.to_owned();
    if let Json::Object(map) = &mut api {
        // What the API sets on a registered revision, not the file.
        for key in [
            "taskDefinitionArn",
            "revision",
            "status",
            "registeredAt",
            "deregisteredAt",
        ] {
            map.remove(key);
        }
    }
    Some(Declared {
        file: file.to_owned(),
        resource: family,
        line,
        kind: Kind::TaskDefinition,
        api,
        links: Vec::new(),
    })
}
