//! Terraform HCL (`*.tf`): the ECS `resource` blocks, where values are literals, `jsonencode(…)`
//! of literals, or `file(…)` of a file next to the `.tf` file. Anything else (variables,
//! locals, data sources, conditionals, interpolated strings, `dynamic` blocks) is unknown
//! before deploy; a reference to another ECS resource (`aws_ecs_task_definition.web.arn`) is
//! linked to it.

use std::path::Path;

use hcl::{Block, Body, Expression, ObjectKey, TemplateExpr, TraversalOperator};
use serde_json::{Map, Value as Json};

use crate::model::{Declared, FileError, Kind};
use crate::tfplan::kind_of;
use crate::value::unknown;

/// The value of `expr`, or an unknown marker naming `path`.
fn eval(expr: &Expression, path: &str, dir: &Path) -> Json {
    match expr {
        Expression::Null => Json::Null,
        Expression::Bool(b) => Json::Bool(*b),
        Expression::Number(n) => serde_json::to_value(n).unwrap_or(Json::Null),
        Expression::String(s) => Json::String(s.clone()),
        Expression::Array(items) => Json::Array(
            items
                .iter()
                .enumerate()
                .map(|(i, e)| eval(e, &format!("{path}[{i}]"), dir))
                .collect(),
        ),
        Expression::Object(object) => {
            let mut map = Map::new();
            for (key, value) in object {
                let key = match key {
                    ObjectKey::Identifier(id) => id.as_str().to_owned(),
                    ObjectKey::Expression(Expression::String(s)) => s.clone(),
                    _ => return unknown(path),
                };
                let child = format!("{path}.{key}");
                map.insert(key, eval(value, &child, dir));
            }
            Json::Object(map)
        }
        Expression::TemplateExpr(template) => match template.as_ref() {
            TemplateExpr::QuotedString(raw) if !raw.contains("${") && !raw.contains("%{") => {
                Json::String(raw.replace("\\\"", "\"").replace("\\\\", "\\"))
            }
            _ => unknown(path),
        },
        Expression::Parenthesis(inner) => eval(inner, path, dir),
        Expression::FuncCall(call) => {
            let name = call.name.name.as_str();
            match (name, call.args.as_slice()) {
                ("jsonencode", [arg]) => {
                    let value = eval(arg, path, dir);
                    let mut unknowns = Vec::new();
                    crate::value::unknowns(&value, &mut unknowns);
                    if unknowns.is_empty() {
                        Json::String(value.to_string())
                    } else {
                        unknown(path)
                    }
                }
                ("file", [arg]) => {
                    // A literal path, or one relative to the module (`${path.module}/x.json`).
                    let raw = match arg {
                        Expression::String(s) => Some(s.as_str()),
                        Expression::TemplateExpr(t) => match t.as_ref() {
                            TemplateExpr::QuotedString(raw) => Some(raw.as_str()),
                            _ => None,
                        },
                        _ => None,
                    };
                    let relative = raw.map(|r| r.trim_start_matches("${path.module}/"));
                    match relative.filter(|r| !r.contains("${") && !r.contains("%{")) {
                        Some(relative) => match std::fs::read_to_string(dir.join(relative)) {
                            Ok(text) => Json::String(text),
                            Err(_) => unknown(path),
                        },
                        None => unknown(path),
                    }
                }
                _ => unknown(path),
            }
        }
        Expression::Traversal(traversal) => {
            let Expression::Variable(root) = &traversal.expr else {
                return unknown(path);
            };
            let root = root.as_str();
            match traversal.operators.first() {
                Some(TraversalOperator::GetAttr(name)) if kind_of(root).is_some() => {
                    serde_json::json!({ "$assetqlLink": format!("{root}.{}", name.as_str()) })
                }
                _ => unknown(path),
            }
        }
        _ => unknown(path),
    }
}

/// A block's body as the plan's `after` shape: attributes, and nested blocks as lists.
fn body_json(body: &Body, path: &str, dir: &Path) -> Json {
    let mut map = Map::new();
    for attribute in body.attributes() {
        let key = attribute.key();
        let child = if path.is_empty() {
            key.to_owned()
        } else {
            format!("{path}.{key}")
        };
        map.insert(key.to_owned(), eval(attribute.expr(), &child, dir));
    }
    for block in body.blocks() {
        let name = block.identifier();
        let child = if path.is_empty() {
            name.to_owned()
        } else {
            format!("{path}.{name}")
        };
        if name == "dynamic" {
            // Generated blocks: how many and what is in them is not known from the text.
            let generated = block
                .labels()
                .first()
                .map(|l| l.as_str())
                .unwrap_or("dynamic");
            map.insert(
                generated.to_owned(),
                unknown(&format!("{child} {generated}")),
            );
            continue;
        }
        let entry = map
            .entry(name.to_owned())
            .or_insert_with(|| Json::Array(Vec::new()));
        if let Json::Array(items) = entry {
            let index = items.len();
            items.push(body_json(block.body(), &format!("{child}[{index}]"), dir));
        }
    }
    Json::Object(map)
}

/// The line where `resource "TYPE" "NAME"` starts.
fn line_of(text: &str, ty: &str, name: &str) -> usize {
    text.lines()
        .position(|l| {
            let words: Vec<&str> = l.split_whitespace().collect();
            words.len() >= 3
                && words[0] == "resource"
                && words[1].trim_matches('"') == ty
                && words[2].trim_matches('"') == name
        })
        .map_or(1, |i| i + 1)
}

fn resource(file: &str, text: &str, dir: &Path, block: &Block) -> Option<Declared> {
    if block.identifier() != "resource" {
        return None;
    }
    let [ty, name] = block.labels() else {
        return None;
    };
    let kind = kind_of(ty.as_str())?;
    let address = format!("{}.{}", ty.as_str(), name.as_str());
    let after = body_json(block.body(), "", dir);
    let mut api = crate::tfplan::api_of(kind, &after);
    let mut links = Vec::new();
    if let Json::Object(map) = &mut api {
        for (key, v) in map.iter() {
            if let Some(target) = v.get("$assetqlLink").and_then(Json::as_str) {
                let target = target.split('.').take(2).collect::<Vec<_>>().join(".");
                links.push((key.clone(), target));
            }
        }
        if kind == Kind::TaskDefinition && !map.get("family").is_some_and(Json::is_string) {
            map.insert("family".to_owned(), Json::String(address.clone()));
        }
    }
    Some(Declared {
        file: file.to_owned(),
        resource: address,
        line: line_of(text, ty.as_str(), name.as_str()),
        kind,
        api,
        links,
    })
}

/// The ECS resources of HCL `text` from `file` (in directory `dir`).
pub fn declared(file: &str, text: &str, dir: &Path) -> Result<Vec<Declared>, FileError> {
    let body = hcl::parse(text).map_err(|e| FileError {
        file: file.to_owned(),
        line: match &e {
            hcl::Error::Parse(parse) => parse.location().line(),
            _ => 1,
        },
        message: format!("malformed HCL: {e}"),
    })?;
    Ok(body
        .blocks()
        .filter_map(|block| resource(file, text, dir, block))
        .collect())
}
