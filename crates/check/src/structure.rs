//! Unknown lists of children (a Terraform `container_definitions` known only after apply, a
//! CloudFormation `ContainerDefinitions: !If …`): the controls are tried with no child and with
//! one child whose every field the catalogue reads holds the substitute, so a verdict that
//! depends on the children is unknown rather than a pass read from an empty list.

use assetql_model::catalogue::{Api, ScalarKind, TypeDef};
use serde_json::{Map, Value as Json};

use crate::value::unknown_property;

/// Sets `value` at `path` of `doc`, creating objects on the way.
fn set_path(doc: &mut Map<String, Json>, path: &[&str], value: Json) {
    let Some((last, parents)) = path.split_last() else {
        return;
    };
    let mut at = doc;
    for key in parents {
        let entry = at
            .entry((*key).to_owned())
            .or_insert_with(|| Json::Object(Map::new()));
        if !entry.is_object() {
            *entry = Json::Object(Map::new());
        }
        let Json::Object(next) = entry else {
            return;
        };
        at = next;
    }
    at.insert((*last).to_owned(), value);
}

/// A child of type `ty` whose every field the catalogue reads is `with`.
fn wildcard(ty: &TypeDef, with: &Json, depth: usize) -> Json {
    let mut doc = Map::new();
    let text = with
        .as_str()
        .map(str::to_owned)
        .unwrap_or_else(|| with.to_string());
    for field in ty.fields {
        match field.api {
            // A required text field (a child's name, its key) is the substitute's text, so
            // the child is written at all.
            Api::At(path) | Api::ArnIdOr(path)
                if !field.nullable && matches!(field.kind, ScalarKind::String | ScalarKind::Id) =>
            {
                set_path(&mut doc, path, Json::String(text.clone()))
            }
            Api::At(path) | Api::Set(path) | Api::ArnIdOr(path) | Api::Enabled(path) => {
                set_path(&mut doc, path, with.clone())
            }
            Api::Strip(prefix, path) => {
                set_path(&mut doc, path, Json::String(format!("{prefix}{text}")))
            }
            Api::Keys(path) => {
                let mut keys = Map::new();
                keys.insert(text.clone(), with.clone());
                set_path(&mut doc, path, Json::Object(keys));
            }
            Api::Each(path, key) => {
                set_path(&mut doc, path, serde_json::json!([{ key: with.clone() }]))
            }
            Api::Named(path, name) => set_path(
                &mut doc,
                path,
                serde_json::json!([{ "name": name, "value": with.clone() }]),
            ),
            Api::None | Api::Derived => {}
        }
    }
    if depth < 3 {
        for relationship in ty.relationships {
            if let Some(path) = relationship.owned {
                let child = wildcard(TypeDef::target(relationship), with, depth + 1);
                set_path(&mut doc, path, Json::Array(vec![child]));
            }
        }
    }
    Json::Object(doc)
}

/// Replaces each unknown list of children of `doc` (of type `ty`, recursively) with no child
/// (`with` None) or one wildcard child.
pub fn substitute_children(ty: &TypeDef, doc: &mut Json, with: Option<&Json>) {
    for relationship in ty.relationships {
        let Some(path) = relationship.owned else {
            continue;
        };
        let target = TypeDef::target(relationship);
        let Some((last, parents)) = path.split_last() else {
            continue;
        };
        let pointer: String = parents.iter().map(|k| format!("/{k}")).collect();
        let Some(Json::Object(parent)) = doc.pointer_mut(&pointer) else {
            continue;
        };
        let Some(value) = parent.get_mut(*last) else {
            continue;
        };
        if unknown_property(value).is_some() {
            match with {
                None => {
                    parent.remove(*last);
                }
                Some(with) => *value = Json::Array(vec![wildcard(target, with, 0)]),
            }
        } else if let Json::Array(items) = value {
            for item in items {
                substitute_children(target, item, with);
            }
        }
    }
}
