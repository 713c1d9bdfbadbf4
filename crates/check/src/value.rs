//! Values not known before deploy, and the substitutions the controls are run with.

use serde_json::{Map, Value as Json};

/// The key of an unknown marker: `{"$assetqlUnknown": "<property path>"}`.
const MARKER: &str = "$assetqlUnknown";

/// A value not known before deploy, from the source property at `property`.
pub fn unknown(property: &str) -> Json {
    let mut map = Map::new();
    map.insert(MARKER.to_owned(), Json::String(property.to_owned()));
    Json::Object(map)
}

/// The property path of an unknown marker.
pub fn unknown_property(value: &Json) -> Option<&str> {
    match value {
        Json::Object(map) if map.len() == 1 => map.get(MARKER).and_then(Json::as_str),
        _ => None,
    }
}

/// The property paths of the unknown markers in `value`.
pub fn unknowns(value: &Json, out: &mut Vec<String>) {
    if let Some(property) = unknown_property(value) {
        out.push(property.to_owned());
        return;
    }
    match value {
        Json::Object(map) => map.values().for_each(|v| unknowns(v, out)),
        Json::Array(items) => items.iter().for_each(|v| unknowns(v, out)),
        _ => {}
    }
}

/// `value` with every unknown marker replaced by `with` (`None`: the key or item is dropped,
/// as if the file did not set it).
pub fn substitute(value: &Json, with: Option<&Json>) -> Json {
    match value {
        Json::Object(map) => Json::Object(
            map.iter()
                .filter_map(|(k, v)| match (unknown_property(v), with) {
                    (Some(_), None) => None,
                    (Some(_), Some(w)) => Some((k.clone(), w.clone())),
                    (None, _) => Some((k.clone(), substitute(v, with))),
                })
                .collect(),
        ),
        Json::Array(items) => Json::Array(
            items
                .iter()
                .filter_map(|v| match (unknown_property(v), with) {
                    (Some(_), None) => None,
                    (Some(_), Some(w)) => Some(w.clone()),
                    (None, _) => Some(substitute(v, with)),
                })
                .collect(),
        ),
        other => other.clone(),
    }
}

/// CloudFormation's PascalCase property name as the API's camelCase one.
pub fn camel_from_pascal(key: &str) -> String {
    match key {
        // Names the API spells differently from the template.
        "FSxWindowsFileServerVolumeConfiguration" => {
            return "fsxWindowsFileServerVolumeConfiguration".to_owned()
        }
        "FilesystemId" => return "fileSystemId".to_owned(),
        // AWS::ECS::TaskSet spells it with a capital V; the API never does.
        "AwsVpcConfiguration" => return "awsvpcConfiguration".to_owned(),
        "IAM" => return "iam".to_owned(),
        _ => {}
    }
    // A leading acronym is lowercased as a whole (`EFSVolumeConfiguration` ->
    // `efsVolumeConfiguration`), except the capital that starts the next word.
    let chars: Vec<char> = key.chars().collect();
    let upper = chars.iter().take_while(|c| c.is_ascii_uppercase()).count();
    let lower = match upper {
        0 => 0,
        n if n == chars.len() => n,
        1 => 1,
        n => n - 1,
    };
    chars
        .iter()
        .enumerate()
        .map(|(i, c)| {
            if i < lower {
                c.to_ascii_lowercase()
            } else {
                *c
            }
        })
        .collect()
}

/// Terraform's snake_case attribute name as the API's camelCase one.
pub fn camel_from_snake(key: &str) -> String {
    let mut out = String::with_capacity(key.len());
    let mut upper = false;
    for c in key.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.push(c.to_ascii_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// Keys whose values are maps of the user's own names (never re-cased).
const VERBATIM: &[&str] = &[
    "Options",
    "DockerLabels",
    "DriverOpts",
    "Labels",
    "options",
    "docker_labels",
    "driver_opts",
    "labels",
    // Terraform's tags and proxy properties are maps of the user's names.
    "tags",
    "tags_all",
    "properties",
];

/// `value` with CloudFormation's property names as the API's.
pub fn api_from_cfn(value: &Json) -> Json {
    recase(value, &camel_from_pascal)
}

/// `value` with Terraform's attribute names as the API's.
pub fn api_from_terraform(value: &Json) -> Json {
    recase(value, &camel_from_snake)
}

fn recase(value: &Json, case: &dyn Fn(&str) -> String) -> Json {
    if unknown_property(value).is_some() {
        return value.clone();
    }
    match value {
        Json::Object(map) => Json::Object(
            map.iter()
                .map(|(k, v)| {
                    let v = if VERBATIM.contains(&k.as_str()) {
                        v.clone()
                    } else {
                        recase(v, case)
                    };
                    (case(k), v)
                })
                .collect(),
        ),
        Json::Array(items) => Json::Array(items.iter().map(|v| recase(v, case)).collect()),
        other => other.clone(),
    }
}

/// `"true"`/`"false"` strings where the API has booleans (CloudFormation passes parameters
/// and often literals as strings), and numeric strings where it has numbers.
pub fn coerce_scalars(value: &mut Json, booleans: &[&str], numbers: &[&str]) {
    match value {
        Json::Object(map) => {
            for (key, v) in map.iter_mut() {
                if let Json::String(s) = v {
                    if booleans.contains(&key.as_str()) {
                        match s.to_ascii_lowercase().as_str() {
                            "true" => *v = Json::Bool(true),
                            "false" => *v = Json::Bool(false),
                            _ => {}
                        }
                    } else if numbers.contains(&key.as_str()) {
                        if let Ok(n) = s.trim().parse::<i64>() {
                            *v = Json::from(n);
                        }
                    }
                } else {
                    coerce_scalars(v, booleans, numbers);
                }
            }
        }
        Json::Array(items) => items
            .iter_mut()
            .for_each(|v| coerce_scalars(v, booleans, numbers)),
        _ => {}
    }
}

/// API keys that hold booleans (a template's `"true"` is read as `true`).
pub const BOOLEAN_KEYS: &[&str] = &[
    "privileged",
    "readonlyRootFilesystem",
    "essential",
    "readOnly",
    "disableNetworking",
    "interactive",
    "pseudoTerminal",
    "initProcessEnabled",
    "autoprovision",
    "enableExecuteCommand",
    "enableECSManagedTags",
    "configuredAtLaunch",
];

/// API keys that hold integers.
pub const NUMBER_KEYS: &[&str] = &[
    "memory",
    "memoryReservation",
    "containerPort",
    "hostPort",
    "sizeInGiB",
    "transitEncryptionPort",
    "softLimit",
    "hardLimit",
    "startTimeout",
    "stopTimeout",
    "desiredCount",
    "sharedMemorySize",
];

/// Tags as a key -> value map (Terraform) in the API's `[{key, value}]` shape.
pub fn tags_from_map(map: &Json) -> Json {
    match map {
        Json::Object(entries) => Json::Array(
            entries
                .iter()
                .map(|(k, v)| serde_json::json!({"key": k, "value": v}))
                .collect(),
        ),
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn template_names_become_the_apis() {
        assert_eq!(
            camel_from_pascal("ContainerDefinitions"),
            "containerDefinitions"
        );
        assert_eq!(
            camel_from_pascal("EFSVolumeConfiguration"),
            "efsVolumeConfiguration"
        );
        assert_eq!(camel_from_pascal("IAM"), "iam");
        assert_eq!(camel_from_pascal("FilesystemId"), "fileSystemId");
        assert_eq!(camel_from_pascal("SizeInGiB"), "sizeInGiB");
        assert_eq!(camel_from_snake("network_mode"), "networkMode");
        let recased = api_from_cfn(
            &json!({"LogConfiguration": {"LogDriver": "awslogs", "Options": {"Awslogs-Group": "x"}}}),
        );
        assert_eq!(
            recased,
            json!({"logConfiguration": {"logDriver": "awslogs", "options": {"Awslogs-Group": "x"}}})
        );
    }

    #[test]
    fn unknowns_are_dropped_or_replaced() {
        let doc = json!({"user": unknown("User"), "list": [1, unknown("X")], "n": 2});
        let mut found = Vec::new();
        unknowns(&doc, &mut found);
        found.sort();
        assert_eq!(found, ["User", "X"]);
        assert_eq!(substitute(&doc, None), json!({"list": [1], "n": 2}));
        assert_eq!(
            substitute(&doc, Some(&json!("root"))),
            json!({"user": "root", "list": [1, "root"], "n": 2})
        );
    }
}
