//! Root list fields answered by the database's own JSON, spliced into the response text
//! without being parsed into GraphQL values and resolved field by field.
//!
//! The compiled statement already builds each row's JSON with the response keys, in the
//! selection's order, merged the way GraphQL merges fields, so for a root list field the
//! executor's per-field work only copies values. When the document qualifies (no directive
//! anywhere, since `@skip`/`@include` are applied by the executor and not by the compiler, and
//! no meta field below the root other than `__typename`, which the compiler writes as a
//! constant), the list resolver hands its JSON text to [`RawParts`] and answers an empty list;
//! the response text is then written with the text in that list's place. A connection field
//! does the same with its answer written around the database's node JSON
//! ([`ConnectionShape`]: edges, cursors, page info and counts in selection order) and answers
//! the executor an empty page.

use std::collections::HashMap;
use std::sync::Mutex;

use async_graphql::parser::types::{
    DocumentOperations, ExecutableDocument, FragmentDefinition, Selection, SelectionSet,
};
use async_graphql::{Name, Positioned, Response, Value};

use crate::plan_cache::PlannedField;

/// The JSON text of root list fields, by response key, collected during one execution, with
/// the statement that produced each. When `dry_run`, statements are compiled and collected but
/// not run (each text is empty): [`crate::Engine::plan`].
#[derive(Debug, Default)]
pub(crate) struct RawParts {
    parts: Mutex<Vec<(PlannedField, String)>>,
    pub(crate) dry_run: bool,
    /// Root fields (response keys) whose selection has no type condition but the `Asset`
    /// interface's ([`interface_only_keys`]).
    interface_only: Vec<String>,
}

impl RawParts {
    pub(crate) fn new(dry_run: bool, interface_only: Vec<String>) -> Self {
        RawParts {
            parts: Mutex::default(),
            dry_run,
            interface_only,
        }
    }

    /// Whether the root field `key` selects the same fields of every asset type.
    pub(crate) fn interface_only(&self, key: &str) -> bool {
        self.interface_only.iter().any(|k| k == key)
    }

    /// Keeps a root field's answer. Fails (the resolver then reports the error) only when the
    /// list was poisoned by a panic during this request's execution.
    pub(crate) fn push(
        &self,
        field: PlannedField,
        json: String,
    ) -> Result<(), async_graphql::Error> {
        let mut parts = self.parts.lock().map_err(|_| crate::error::lost_part())?;
        parts.push((field, json));
        Ok(())
    }

    /// The answers kept. Fails when the list was poisoned: a part may be missing, and its
    /// place in the response holds the executor's empty placeholder, so the response must not
    /// be written from it.
    pub(crate) fn take(&self) -> Result<Vec<(PlannedField, String)>, async_graphql::Error> {
        let mut parts = self.parts.lock().map_err(|_| crate::error::lost_part())?;
        Ok(std::mem::take(&mut *parts))
    }

    /// Poisons the list, as a panic while holding it would (for the fail-closed tests).
    #[cfg(test)]
    pub(crate) fn poison(&self) {
        let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let _held = self.parts.lock();
            panic!("poisoning the raw parts on purpose");
        }));
    }
}

/// Whether the database's JSON can stand for the executor's answer in `document`.
pub(crate) fn qualifies(document: &ExecutableDocument) -> bool {
    let fragments = &document.fragments;
    if fragments
        .values()
        .any(|f| !f.node.directives.is_empty() || !plain(&f.node.selection_set.node, fragments, 0))
    {
        return false;
    }
    document.operations.iter().all(|(_, operation)| {
        operation.node.directives.is_empty()
            && operation.node.selection_set.node.items.iter().all(|item| {
                item.node.directives().is_empty()
                    && match &item.node {
                        Selection::Field(field) => {
                            plain(&field.node.selection_set.node, fragments, 0)
                        }
                        // A root-level spread may carry `__typename` for the executor; leave
                        // such documents to it.
                        Selection::FragmentSpread(_) | Selection::InlineFragment(_) => false,
                    }
            })
    })
}

/// The response keys of the root fields of the operation to run whose selection applies no
/// type condition other than the `Asset` interface's (directly, through inline fragments or
/// fragments spread): each asset type then answers the same keys. A key the operation repeats
/// is left out (the executor merges those).
pub(crate) fn interface_only_keys(
    document: &ExecutableDocument,
    operation: Option<&str>,
) -> Vec<String> {
    let operation = match (&document.operations, operation) {
        (DocumentOperations::Single(single), None) => Some(single),
        (DocumentOperations::Multiple(map), Some(name)) => map.get(name),
        (DocumentOperations::Multiple(map), None) if map.len() == 1 => map.values().next(),
        _ => None,
    };
    let Some(operation) = operation.map(|o| &o.node) else {
        return Vec::new();
    };
    let fields: Vec<&async_graphql::parser::types::Field> = operation
        .selection_set
        .node
        .items
        .iter()
        .filter_map(|item| match &item.node {
            Selection::Field(field) => Some(&field.node),
            _ => None,
        })
        .collect();
    let key = |field: &async_graphql::parser::types::Field| {
        field.alias.as_ref().unwrap_or(&field.name).node.to_string()
    };
    fields
        .iter()
        .filter(|field| {
            let k = key(field);
            fields.iter().filter(|other| key(other) == k).count() == 1
                && on_interface_only(&field.selection_set.node, &document.fragments, 0)
        })
        .map(|field| key(field))
        .collect()
}

fn on_interface_only(
    set: &SelectionSet,
    fragments: &HashMap<Name, Positioned<FragmentDefinition>>,
    depth: usize,
) -> bool {
    if depth > 64 {
        return false;
    }
    set.items.iter().all(|item| match &item.node {
        Selection::Field(_) => true,
        Selection::InlineFragment(inline) => {
            inline
                .node
                .type_condition
                .as_ref()
                .is_none_or(|c| is_asset_interface(&c.node))
                && on_interface_only(&inline.node.selection_set.node, fragments, depth + 1)
        }
        Selection::FragmentSpread(spread) => fragments
            .get(&spread.node.fragment_name.node)
            .is_some_and(|f| {
                is_asset_interface(&f.node.type_condition.node)
                    && on_interface_only(&f.node.selection_set.node, fragments, depth + 1)
            }),
    })
}

fn is_asset_interface(condition: &async_graphql::parser::types::TypeCondition) -> bool {
    condition.on.node.as_str() == assetql_model::catalogue::ASSET_INTERFACE.name
}

/// No directive, and no meta field but `__typename`, in `set` or the fragments it spreads.
fn plain(
    set: &SelectionSet,
    fragments: &HashMap<Name, Positioned<FragmentDefinition>>,
    depth: usize,
) -> bool {
    // Fragment cycles are rejected by validation; the depth bound only keeps this walk finite.
    if depth > 64 {
        return false;
    }
    set.items.iter().all(|item| {
        item.node.directives().is_empty()
            && match &item.node {
                // `__typename` is compiled into the row's JSON; other meta fields are the
                // executor's.
                Selection::Field(field) => {
                    let name = field.node.name.node.as_str();
                    (name == "__typename" || !name.starts_with("__"))
                        && plain(&field.node.selection_set.node, fragments, depth + 1)
                }
                Selection::InlineFragment(inline) => {
                    plain(&inline.node.selection_set.node, fragments, depth + 1)
                }
                // Undefined fragments (the injected AssetFragment) hold plain fields only.
                Selection::FragmentSpread(spread) => fragments
                    .get(&spread.node.fragment_name.node)
                    .is_none_or(|f| plain(&f.node.selection_set.node, fragments, depth + 1)),
            }
    })
}

/// The response as JSON text, each raw part written in place of its root field. Fails closed:
/// a part that is not one JSON value, a part whose field is not in the data, or a field of the
/// data that cannot be written makes the text one `INTERNAL` error without data.
pub(crate) fn response_json(response: &Response, raw: &[(PlannedField, String)]) -> String {
    write_response(response, raw).unwrap_or_else(|reason| {
        tracing::error!(reason, "the response could not be written whole");
        fallback()
    })
}

/// The response written whole, or None when it cannot be (see [`response_json`]).
pub(crate) fn write_whole(response: &Response, raw: &[(PlannedField, String)]) -> Option<String> {
    write_response(response, raw).ok()
}

fn write_response(
    response: &Response,
    raw: &[(PlannedField, String)],
) -> Result<String, &'static str> {
    let whole = |_| "a part of the response is not serialisable";
    let Value::Object(data) = &response.data else {
        return if raw.is_empty() {
            serde_json::to_string(response).map_err(whole)
        } else {
            Err("raw parts without data")
        };
    };
    if raw.is_empty() {
        return serde_json::to_string(response).map_err(whole);
    }
    if raw.iter().any(|(f, _)| !data.contains_key(f.key.as_str())) {
        return Err("a raw part's field is not in the data");
    }
    let mut out = String::with_capacity(raw.iter().map(|(_, j)| j.len()).sum::<usize>() + 64);
    out.push_str("{\"data\":{");
    for (i, (key, value)) in data.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&serde_json::to_string(key.as_str()).map_err(whole)?);
        out.push(':');
        match raw.iter().find(|(f, _)| f.key == key.as_str()) {
            Some((_, json)) => {
                // The database wrote it; a cheap scan (nothing is built) makes sure it is one
                // JSON value before it is spliced into the response.
                serde_json::from_str::<serde::de::IgnoredAny>(json)
                    .map_err(|_| "a raw part is not JSON")?;
                out.push_str(json);
            }
            None => out.push_str(&serde_json::to_string(value).map_err(whole)?),
        }
    }
    out.push('}');
    if !response.errors.is_empty() {
        out.push_str(",\"errors\":");
        out.push_str(&serde_json::to_string(&response.errors).map_err(whole)?);
    }
    if !response.extensions.is_empty() {
        out.push_str(",\"extensions\":");
        out.push_str(&serde_json::to_string(&response.extensions).map_err(whole)?);
    }
    out.push('}');
    Ok(out)
}

/// `response` with each raw part parsed into its root field, for in-process callers. A part
/// that cannot be read, or has no field, makes the response one `INTERNAL` error without data.
pub(crate) fn splice(mut response: Response, raw: Vec<(PlannedField, String)>) -> Response {
    let failed = |reason: &str| {
        tracing::error!(reason, "the response could not be assembled whole");
        Response::from_errors(vec![
            crate::error::lost_part().into_server_error(async_graphql::Pos::default())
        ])
    };
    if raw.is_empty() {
        return response;
    }
    let Value::Object(data) = &mut response.data else {
        return failed("raw parts without data");
    };
    for (field, json) in raw {
        let Ok(value) = serde_json::from_str::<Value>(&json) else {
            return failed("a raw part is not JSON");
        };
        let Some(slot) = data.get_mut(field.key.as_str()) else {
            return failed("a raw part's field is not in the data");
        };
        *slot = value;
    }
    response
}

fn fallback() -> String {
    format!(
        r#"{{"errors":[{{"message":"internal error while writing the response","extensions":{{"code":"{}"}}}}]}}"#,
        assetql_model::ErrorCode::Internal.as_str()
    )
}
