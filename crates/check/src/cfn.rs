//! CloudFormation templates (JSON and YAML, CDK and SAM output included): the ECS resources,
//! with intrinsic functions resolved where a template alone decides them.

use serde_json::{Map, Value as Json};

use crate::model::{Declared, Kind};
use crate::value::{self, unknown};

/// Whether `doc` is a CloudFormation template declaring at least one resource.
pub fn is_template(doc: &Json) -> bool {
    doc.get("Resources")
        .and_then(Json::as_object)
        .is_some_and(|r| {
            r.values()
                .any(|v| v.get("Type").and_then(Json::as_str).is_some())
        })
}

fn kind_of(ty: &str) -> Option<Kind> {
    Some(match ty {
        "AWS::ECS::TaskDefinition" => Kind::TaskDefinition,
        "AWS::ECS::Service" => Kind::Service,
        "AWS::ECS::Cluster" => Kind::Cluster,
        "AWS::ECS::TaskSet" => Kind::TaskSet,
        "AWS::ECS::CapacityProvider" => Kind::CapacityProvider,
        _ => return None,
    })
}

/// What a template lets a value be resolved from.
struct Context<'a> {
    parameters: &'a Map<String, Json>,
    resources: &'a Map<String, Json>,
}

/// Where a `Ref`/`GetAtt` to another ECS resource of the template points.
fn link(name: &str) -> Json {
    serde_json::json!({ "$assetqlLink": name })
}

impl Context<'_> {
    /// `value` with intrinsic functions resolved; what cannot be known before deploy becomes
    /// an unknown marker naming `path`.
    fn resolve(&self, value: &Json, path: &str) -> Option<Json> {
        match value {
            Json::Object(map) if map.len() == 1 => {
                let (name, arg) = map.iter().next()?;
                match name.as_str() {
                    "Ref" => Some(self.reference(arg.as_str().unwrap_or_default(), path)),
                    "Fn::Sub" => Some(self.sub(arg, path)),
                    "Fn::Join" => Some(self.join(arg, path)),
                    "Fn::GetAtt" => Some(self.get_att(arg, path)),
                    n if n.starts_with("Fn::") || n == "Condition" => Some(unknown(path)),
                    _ => Some(Json::Object(self.resolve_map(map, path))),
                }
            }
            Json::Object(map) => Some(Json::Object(self.resolve_map(map, path))),
            Json::Array(items) => Some(Json::Array(
                items
                    .iter()
                    .enumerate()
                    .filter_map(|(i, v)| self.resolve(v, &format!("{path}[{i}]")))
                    .collect(),
            )),
            other => Some(other.clone()),
        }
    }

    fn resolve_map(&self, map: &Map<String, Json>, path: &str) -> Map<String, Json> {
        map.iter()
            .filter_map(|(k, v)| {
                // `Ref: AWS::NoValue` removes the property.
                if v.get("Ref").and_then(Json::as_str) == Some("AWS::NoValue") {
                    return None;
                }
                let child = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                Some((k.clone(), self.resolve(v, &child)?))
            })
            .collect()
    }

    fn reference(&self, name: &str, path: &str) -> Json {
        if let Some(parameter) = self.parameters.get(name) {
            return match parameter.get("Default") {
                Some(default) => default.clone(),
                None => unknown(path),
            };
        }
        match self
            .resources
            .get(name)
            .and_then(|r| r.get("Type"))
            .and_then(Json::as_str)
            .and_then(kind_of)
        {
            Some(_) => link(name),
            None => unknown(path),
        }
    }

    fn get_att(&self, arg: &Json, path: &str) -> Json {
        let (resource, attribute) = match arg {
            Json::Array(parts) => (
                parts.first().and_then(Json::as_str).unwrap_or_default(),
                parts.get(1).and_then(Json::as_str).unwrap_or_default(),
            ),
            Json::String(dotted) => dotted.split_once('.').unwrap_or((dotted, "")),
            _ => ("", ""),
        };
        let ty = self
            .resources
            .get(resource)
            .and_then(|r| r.get("Type"))
            .and_then(Json::as_str);
        match (ty, attribute) {
            (Some("AWS::ECS::TaskDefinition"), "TaskDefinitionArn")
            | (
                Some("AWS::ECS::Cluster" | "AWS::ECS::Service" | "AWS::ECS::CapacityProvider"),
                "Arn" | "ServiceArn",
            ) => link(resource),
            _ => unknown(path),
        }
    }

    fn scalar_text(&self, value: &Json, path: &str) -> Option<String> {
        match self.resolve(value, path)? {
            Json::String(s) => Some(s),
            Json::Number(n) => Some(n.to_string()),
            Json::Bool(b) => Some(b.to_string()),
            _ => None,
        }
    }

    fn sub(&self, arg: &Json, path: &str) -> Json {
        let (text, vars) = match arg {
            Json::String(text) => (text.as_str(), None),
            Json::Array(parts) => (
                parts.first().and_then(Json::as_str).unwrap_or_default(),
                parts.get(1).and_then(Json::as_object),
            ),
            _ => return unknown(path),
        };
        let mut out = String::new();
        let mut rest = text;
        while let Some(start) = rest.find("${") {
            out.push_str(&rest[..start]);
            let after = &rest[start + 2..];
            let Some(end) = after.find('}') else {
                return unknown(path);
            };
            let name = &after[..end];
            if let Some(literal) = name.strip_prefix('!') {
                out.push_str("${");
                out.push_str(literal);
                out.push('}');
            } else {
                let value = match vars.and_then(|v| v.get(name)) {
                    Some(v) => self.scalar_text(v, path),
                    None if name.contains('.') => None,
                    None => self.scalar_text(&serde_json::json!({ "Ref": name }), path),
                };
                match value {
                    Some(v) => out.push_str(&v),
                    None => return unknown(path),
                }
            }
            rest = &after[end + 1..];
        }
        out.push_str(rest);
        Json::String(out)
    }

    fn join(&self, arg: &Json, path: &str) -> Json {
        let Some([delimiter, Json::Array(items)]) = arg.as_array().map(Vec::as_slice) else {
            return unknown(path);
        };
        let delimiter = delimiter.as_str().unwrap_or_default();
        let mut parts = Vec::new();
        for item in items {
            match self.scalar_text(item, path) {
                Some(text) => parts.push(text),
                None => return unknown(path),
            }
        }
        Json::String(parts.join(delimiter))
    }
}

/// The ECS resources of template `doc` from `file`; `line_of` finds a logical id's line.
pub fn declared(file: &str, doc: &Json, line_of: &dyn Fn(&str) -> usize) -> Vec<Declared> {
    let empty = Map::new();
    let context = Context {
        parameters: doc
            .get("Parameters")
            .and_then(Json::as_object)
            .unwrap_or(&empty),
        resources: doc
            .get("Resources")
            .and_then(Json::as_object)
            .unwrap_or(&empty),
    };
    let mut out = Vec::new();
    for (logical_id, resource) in context.resources {
        let Some(kind) = resource
            .get("Type")
            .and_then(Json::as_str)
            .and_then(kind_of)
        else {
            continue;
        };
        let properties = resource
            .get("Properties")
            .cloned()
            .unwrap_or_else(|| Json::Object(Map::new()));
        let resolved = context
            .resolve(&properties, "Properties")
            .unwrap_or(Json::Null);
        let mut api = value::api_from_cfn(&resolved);
        value::coerce_scalars(&mut api, value::BOOLEAN_KEYS, value::NUMBER_KEYS);
        let links = shape(kind, logical_id, &mut api);
        out.push(Declared {
            file: file.to_owned(),
            resource: logical_id.clone(),
            line: line_of(logical_id),
            kind,
            api,
            links,
        });
    }
    out
}

/// Renames the template's properties that the API names otherwise, and collects the links to
/// other resources of the template.
fn shape(kind: Kind, logical_id: &str, api: &mut Json) -> Vec<(String, String)> {
    let Json::Object(map) = api else {
        return Vec::new();
    };
    let rename = |map: &mut Map<String, Json>, from: &str, to: &str| {
        if let Some(v) = map.remove(from) {
            map.insert(to.to_owned(), v);
        }
    };
    match kind {
        Kind::TaskDefinition => {
            if !map.contains_key("family") {
                map.insert("family".to_owned(), Json::String(logical_id.to_owned()));
            }
            if let Some(Json::Object(proxy)) = map.get_mut("proxyConfiguration") {
                rename(proxy, "proxyConfigurationProperties", "properties");
            }
        }
        Kind::Service => {
            rename(map, "cluster", "clusterArn");
            if !map.contains_key("serviceName") {
                map.insert(
                    "serviceName".to_owned(),
                    Json::String(logical_id.to_owned()),
                );
            }
        }
        Kind::Cluster => {
            rename(map, "clusterSettings", "settings");
            if !map.contains_key("clusterName") {
                map.insert(
                    "clusterName".to_owned(),
                    Json::String(logical_id.to_owned()),
                );
            }
        }
        Kind::TaskSet => {
            rename(map, "cluster", "clusterArn");
            rename(map, "service", "serviceArn");
        }
        Kind::CapacityProvider => {
            if !map.contains_key("name") {
                map.insert("name".to_owned(), Json::String(logical_id.to_owned()));
            }
        }
    }
    let mut links = Vec::new();
    for (key, v) in map.iter_mut() {
        if let Some(target) = v.get("$assetqlLink").and_then(Json::as_str) {
            links.push((key.clone(), target.to_owned()));
        }
    }
    links
}

/// A YAML template with CloudFormation's short-form tags (`!Ref`, `!Sub`, `!GetAtt`, …) as the
/// JSON form (`{"Ref": …}`, `{"Fn::Sub": …}`).
pub fn yaml_to_json(value: serde_yaml::Value) -> Json {
    use serde_yaml::Value as Y;
    match value {
        Y::Null => Json::Null,
        Y::Bool(b) => Json::Bool(b),
        Y::Number(n) => n
            .as_i64()
            .map(Json::from)
            .or_else(|| n.as_f64().map(Json::from))
            .unwrap_or(Json::Null),
        Y::String(s) => Json::String(s),
        Y::Sequence(items) => Json::Array(items.into_iter().map(yaml_to_json).collect()),
        Y::Mapping(map) => Json::Object(
            map.into_iter()
                .map(|(k, v)| {
                    let key = match k {
                        Y::String(s) => s,
                        other => serde_yaml::to_string(&other)
                            .unwrap_or_default()
                            .trim()
                            .to_owned(),
                    };
                    (key, yaml_to_json(v))
                })
                .collect(),
        ),
        Y::Tagged(tagged) => {
            let tag = tagged.tag.to_string();
            let name = tag.trim_start_matches('!');
            let inner = yaml_to_json(tagged.value);
            let (key, arg) = match name {
                "Ref" => ("Ref".to_owned(), inner),
                "Condition" => ("Condition".to_owned(), inner),
                "GetAtt" => (
                    "Fn::GetAtt".to_owned(),
                    match inner {
                        Json::String(dotted) => match dotted.split_once('.') {
                            Some((r, a)) => serde_json::json!([r, a]),
                            None => Json::String(dotted),
                        },
                        other => other,
                    },
                ),
                other => (format!("Fn::{other}"), inner),
            };
            let mut map = Map::new();
            map.insert(key, arg);
            Json::Object(map)
        }
    }
}
