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

/// A root list field's compiled statement, replayable for the same document and tenant.
#[derive(Debug, Clone)]
pub(crate) struct PlannedField {
    pub(crate) key: String,
    pub(crate) sql: String,
    pub(crate) params: Vec<assetql_sql::Value>,
    /// For a connection field: how the statement's `{"nodes", "totalCount"}` becomes the
    /// field's answer. `None` for a list field, whose statement text is the answer.
    pub(crate) shape: Option<std::sync::Arc<ConnectionShape>>,
}

impl PlannedField {
    /// The field's answer from its statement's text.
    pub(crate) fn answer(&self, text: String) -> Result<String, serde_json::Error> {
        match &self.shape {
            Some(shape) => shape.apply(&text),
            None => Ok(text),
        }
    }
}

/// How a connection field's answer is written from its statement's JSON
/// (`{"nodes": [...], "totalCount": n}`, each part only when selected), in selection order:
/// nodes are copied as the database wrote them; edges, cursors and `pageInfo` are written
/// around them. Only for selections where each response key appears once (the executor merges
/// repeated keys; such documents are left to it).
#[derive(Debug)]
pub(crate) struct ConnectionShape {
    first: Option<u64>,
    start: u64,
    items: Vec<(String, ShapeItem)>,
}

#[derive(Debug)]
enum ShapeItem {
    Total,
    /// `aggregate { count { nodes } }`: the keys of `count` parts and, in each, of `nodes`.
    Aggregate(Vec<(String, Vec<(String, ())>)>),
    Edges(Vec<(String, EdgePart)>),
    PageInfo(Vec<(String, InfoPart)>),
}

#[derive(Debug)]
enum EdgePart {
    Cursor,
    Node,
}

#[derive(Debug)]
enum InfoPart {
    HasNext,
    HasPrevious,
    StartCursor,
    EndCursor,
}

fn response_key<'a>(field: &'a async_graphql::SelectionField<'a>) -> &'a str {
    field.alias().unwrap_or(field.name())
}

/// `Some(keys)` when no key repeats.
fn distinct<'a>(
    fields: impl Iterator<Item = async_graphql::SelectionField<'a>>,
) -> Option<Vec<async_graphql::SelectionField<'a>>> {
    let fields: Vec<_> = fields.collect();
    let mut keys: Vec<&str> = fields.iter().map(|f| response_key(f)).collect();
    keys.sort_unstable();
    let before = keys.len();
    keys.dedup();
    (keys.len() == before).then_some(fields)
}

/// The selected parts of `field` as (response key, kind); `None` when a key repeats or `kind`
/// does not know a field.
fn parts<K>(
    field: &async_graphql::SelectionField<'_>,
    kind: impl Fn(&async_graphql::SelectionField<'_>) -> Option<K>,
) -> Option<Vec<(String, K)>> {
    distinct(field.selection_set())?
        .iter()
        .map(|part| Some((response_key(part).to_owned(), kind(part)?)))
        .collect()
}

impl ConnectionShape {
    /// The shape of a connection `field` paged from `start` with at most `first` nodes; `None`
    /// when the selection repeats a response key or selects something else.
    pub(crate) fn of(
        field: &async_graphql::SelectionField<'_>,
        first: Option<u64>,
        start: u64,
    ) -> Option<ConnectionShape> {
        let items = parts(field, |child| match child.name() {
            "totalCount" => Some(ShapeItem::Total),
            "aggregate" => parts(child, |count| {
                (count.name() == "count").then_some(())?;
                parts(count, |leaf| (leaf.name() == "nodes").then_some(()))
            })
            .map(ShapeItem::Aggregate),
            "edges" => parts(child, |part| match part.name() {
                "cursor" => Some(EdgePart::Cursor),
                "node" => Some(EdgePart::Node),
                _ => None,
            })
            .map(ShapeItem::Edges),
            "pageInfo" => parts(child, |part| match part.name() {
                "hasNextPage" => Some(InfoPart::HasNext),
                "hasPreviousPage" => Some(InfoPart::HasPrevious),
                "startCursor" => Some(InfoPart::StartCursor),
                "endCursor" => Some(InfoPart::EndCursor),
                _ => None,
            })
            .map(ShapeItem::PageInfo),
            _ => None,
        })?;
        Some(ConnectionShape {
            first,
            start,
            items,
        })
    }

    /// The field's answer from the statement's JSON text.
    pub(crate) fn apply(&self, text: &str) -> Result<String, serde_json::Error> {
        #[derive(serde::Deserialize)]
        struct Page<'a> {
            #[serde(borrow, default)]
            nodes: Option<Vec<&'a serde_json::value::RawValue>>,
            #[serde(borrow, default, rename = "totalCount")]
            total: Option<&'a serde_json::value::RawValue>,
        }
        let page: Page<'_> = serde_json::from_str(text)?;
        let mut nodes = page.nodes.unwrap_or_default();
        let has_next = self
            .first
            .is_some_and(|n| u64::try_from(nodes.len()).unwrap_or(u64::MAX) > n);
        if let Some(n) = self.first {
            nodes.truncate(usize::try_from(n).unwrap_or(usize::MAX));
        }
        let total = page.total.map_or("null", |t| t.get());
        let cursor = |i: usize| {
            let offset = self.start + u64::try_from(i).unwrap_or(u64::MAX);
            serde_json::to_string(&crate::resolve::cursor(offset))
        };
        let mut out = String::with_capacity(text.len() + 64 * nodes.len() + 64);
        write_object(&mut out, &self.items, |out, item| {
            match item {
                ShapeItem::Total => out.push_str(total),
                ShapeItem::Aggregate(counts) => write_object(out, counts, |out, leaves| {
                    write_object(out, leaves, |out, ()| {
                        out.push_str(total);
                        Ok(())
                    })
                })?,
                ShapeItem::Edges(parts) => {
                    out.push('[');
                    for (n, node) in nodes.iter().enumerate() {
                        if n > 0 {
                            out.push(',');
                        }
                        write_object(out, parts, |out, kind| {
                            match kind {
                                EdgePart::Cursor => out.push_str(&cursor(n)?),
                                EdgePart::Node => out.push_str(node.get()),
                            }
                            Ok(())
                        })?;
                    }
                    out.push(']');
                }
                ShapeItem::PageInfo(parts) => write_object(out, parts, |out, kind| {
                    match kind {
                        InfoPart::HasNext => out.push_str(if has_next { "true" } else { "false" }),
                        InfoPart::HasPrevious => {
                            out.push_str(if self.start > 0 { "true" } else { "false" });
                        }
                        InfoPart::StartCursor if !nodes.is_empty() => {
                            out.push_str(&cursor(0)?);
                        }
                        InfoPart::EndCursor if !nodes.is_empty() => {
                            out.push_str(&cursor(nodes.len() - 1)?);
                        }
                        InfoPart::StartCursor | InfoPart::EndCursor => out.push_str("null"),
                    }
                    Ok(())
                })?,
            }
            Ok(())
        })?;
        Ok(out)
    }
}

/// Writes `{"key": value, …}` for `entries`, each value by `value`.
fn write_object<T>(
    out: &mut String,
    entries: &[(String, T)],
    mut value: impl FnMut(&mut String, &T) -> Result<(), serde_json::Error>,
) -> Result<(), serde_json::Error> {
    out.push('{');
    for (i, (key, entry)) in entries.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&serde_json::to_string(key)?);
        out.push(':');
        value(out, entry)?;
    }
    out.push('}');
    Ok(())
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
        let mut parts = self.parts.lock().map_err(|_| lost_part())?;
        parts.push((field, json));
        Ok(())
    }

    /// The answers kept. Fails when the list was poisoned: a part may be missing, and its
    /// place in the response holds the executor's empty placeholder, so the response must not
    /// be written from it.
    pub(crate) fn take(&self) -> Result<Vec<(PlannedField, String)>, async_graphql::Error> {
        let mut parts = self.parts.lock().map_err(|_| lost_part())?;
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

/// The error of an answer part that was lost inside the engine.
pub(crate) fn lost_part() -> async_graphql::Error {
    crate::resolve::coded(
        "internal error: part of the answer was lost; nothing is reported rather than a \
         partial answer",
        "INTERNAL",
    )
}

/// The statements of a document whose root fields are all raw list fields, per (document,
/// operation, tenant, paging mode): a repeated request (a stored control, a dashboard's
/// refresh) runs them without parsing, validating or resolving the document again. Only SQL is
/// kept, never data. Bounded: cleared when full.
pub(crate) struct PlanCache(pub(crate) Bounded<std::sync::Arc<Plan>>);

impl Default for PlanCache {
    fn default() -> Self {
        PlanCache(Bounded::new(PLAN_CACHE_SIZE))
    }
}

/// A cached plan: the dialect the document ran in and its root fields in response order.
#[derive(Debug)]
pub(crate) struct Plan {
    pub(crate) syntax: assetql_sql::Syntax,
    pub(crate) fields: Vec<PlannedField>,
    /// What the plan was made for, compared in full on lookup: a hash collision must never hand
    /// one tenant's statements (whose `$1` is that tenant) to another request.
    pub(crate) made_for: PlanKey,
}

/// The request properties a plan depends on.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct PlanKey {
    pub(crate) query: String,
    pub(crate) operation: Option<String>,
    /// The variables as JSON text (empty without variables).
    pub(crate) variables: String,
    pub(crate) tenant: String,
    pub(crate) unpaged: bool,
}

/// Plans kept at most (each a few KB of SQL and document text).
const PLAN_CACHE_SIZE: usize = 1024;

/// Largest document (text plus variables, in bytes) whose plan is kept.
const PLAN_CACHE_MAX_DOCUMENT: usize = 16 * 1024;

impl PlanCache {
    pub(crate) fn get(&self, key: &PlanKey) -> Option<std::sync::Arc<Plan>> {
        self.0.get(key).filter(|plan| plan.made_for == *key)
    }

    pub(crate) fn insert(&self, plan: Plan) {
        // Large documents are not kept: the cache's memory stays bounded by entries times
        // this size, whatever clients send (stored controls and dashboard pages are small).
        if plan.made_for.query.len() + plan.made_for.variables.len() > PLAN_CACHE_MAX_DOCUMENT {
            return;
        }
        let key = plan.made_for.clone();
        self.0.insert(&key, std::sync::Arc::new(plan));
    }
}

/// A map from a key's hash to a value, holding at most `capacity` entries (cleared when full,
/// so memory stays bounded whatever clients send). Callers that cannot tolerate a hash
/// collision keep the key in the value and compare it.
pub(crate) struct Bounded<V> {
    entries: Mutex<HashMap<u64, V>>,
    capacity: usize,
}

impl<V: Clone> Bounded<V> {
    pub(crate) fn new(capacity: usize) -> Self {
        Bounded {
            entries: Mutex::new(HashMap::new()),
            capacity,
        }
    }

    fn hash<K: std::hash::Hash + ?Sized>(key: &K) -> u64 {
        use std::hash::{BuildHasher, BuildHasherDefault};
        BuildHasherDefault::<std::collections::hash_map::DefaultHasher>::default().hash_one(key)
    }

    pub(crate) fn get<K: std::hash::Hash + ?Sized>(&self, key: &K) -> Option<V> {
        self.entries.lock().ok()?.get(&Self::hash(key)).cloned()
    }

    pub(crate) fn insert<K: std::hash::Hash + ?Sized>(&self, key: &K, value: V) {
        if let Ok(mut entries) = self.entries.lock() {
            if entries.len() >= self.capacity {
                entries.clear();
            }
            entries.insert(Self::hash(key), value);
        }
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
            lost_part().into_server_error(async_graphql::Pos::default())
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
    r#"{"errors":[{"message":"internal error while writing the response","extensions":{"code":"INTERNAL"}}]}"#
        .to_owned()
}
