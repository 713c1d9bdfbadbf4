//! An asset's rows read from its AWS API JSON by the catalogue alone: each described field at
//! its [`Api`] path, converted to its scalar kind, and the owned child tables (container specs,
//! environment entries, settings, network configuration, tags) from their paths, their join
//! columns taken from the parent row. No field is listed here: adding one to the catalogue adds
//! it to what is read.
//!
//! Values the inventory must never hold are never read: an environment variable's value is only
//! tested for being set ([`Api::Set`]), and anything the catalogue does not describe is ignored.

use chrono::{DateTime, Utc};
use serde_json::Value as Json;

use sha2::{Digest, Sha256};

use super::{Api, FieldSource, ScalarKind, TypeDef};

/// One column's value.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// Absent in the API's JSON (or not of the field's kind).
    Null,
    /// A boolean.
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A string.
    Text(String),
    /// A list of strings.
    TextList(Vec<String>),
    /// A time.
    Time(DateTime<Utc>),
}

/// One row of one table.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// The table.
    pub table: &'static str,
    /// The described columns, in catalogue order, then the join columns from the parent and,
    /// for a list item, its position.
    pub cells: Vec<(&'static str, Cell)>,
}

impl Row {
    /// The cell of `column`, if the row has it.
    pub fn get(&self, column: &str) -> Option<&Cell> {
        self.cells
            .iter()
            .find(|(c, _)| *c == column)
            .map(|(_, v)| v)
    }
}

/// The rows of one asset of type `ty` whose API JSON is `doc`: its own row first, then each
/// owned child table's rows (depth first, in the catalogue's relationship order). Each row's
/// cells are its table's [`Layout`] columns, in that order.
pub fn rows(ty: &'static TypeDef, doc: &Json) -> Vec<Row> {
    let mut out = Vec::new();
    collect(ty, doc, &[], &mut out);
    out
}

/// The columns of one table as [`rows`] fills them, in order, with their kinds.
#[derive(Debug, Clone, PartialEq)]
pub struct Layout {
    /// The table.
    pub table: &'static str,
    /// The columns [`rows`] fills, in its order, with their kinds.
    pub columns: Vec<(&'static str, ScalarKind)>,
    /// The column that holds the ARN of the asset a row belongs to (`arn` on the asset's own
    /// table, the join column that carries it down on its children).
    pub asset_arn: &'static str,
}

/// The tables an asset of type `ty` is written to, its own first, then its owned children
/// depth first (a parent before its children, as foreign keys need).
pub fn layouts(ty: &'static TypeDef) -> Vec<Layout> {
    let mut out = Vec::new();
    layout(ty, &[], "arn", &mut out);
    out
}

fn layout(
    ty: &'static TypeDef,
    inherited: &[(&'static str, ScalarKind)],
    asset_arn: &'static str,
    out: &mut Vec<Layout>,
) {
    let mut columns: Vec<(&'static str, ScalarKind)> = Vec::with_capacity(ty.fields.len());
    for field in ty.fields {
        let read = !matches!(field.api, Api::None | Api::Derived);
        if let (FieldSource::Column(column), true) = (field.source, read) {
            if !columns.iter().any(|(c, _)| *c == column) {
                columns.push((column, field.kind));
            }
        }
    }
    for (column, kind) in inherited {
        if !columns.iter().any(|(c, _)| c == column) {
            columns.push((column, *kind));
        }
    }
    let parent = columns.clone();
    if !out.iter().any(|l: &Layout| l.table == ty.table) {
        out.push(Layout {
            table: ty.table,
            columns,
            asset_arn,
        });
    }
    for relationship in ty.relationships {
        let (Some(_), Some(child)) = (relationship.owned, TypeDef::named(relationship.target))
        else {
            continue;
        };
        let mut joined: Vec<(&'static str, ScalarKind)> = relationship
            .join
            .iter()
            .map(|(parent_column, child_column)| {
                let kind = parent
                    .iter()
                    .find(|(c, _)| c == parent_column)
                    .map_or(ScalarKind::String, |(_, k)| *k);
                (*child_column, kind)
            })
            .collect();
        if orders_by_ordinal(relationship) {
            joined.push(("ordinal", ScalarKind::Int));
        }
        let child_arn = relationship
            .join
            .iter()
            .find(|(p, _)| *p == asset_arn)
            .map_or(asset_arn, |(_, c)| *c);
        layout(child, &joined, child_arn, out);
    }
}

/// A child kept in its list's order has an `ordinal` column, which the relationship orders by.
fn orders_by_ordinal(relationship: &super::RelationshipDef) -> bool {
    relationship.order.iter().any(|(c, _)| *c == "ordinal")
}

/// An owned relationship of a row, its child type and the join cells carried down to it.
type Owned = (
    &'static super::RelationshipDef,
    &'static TypeDef,
    Vec<(&'static str, Cell)>,
);

fn collect(
    ty: &'static TypeDef,
    doc: &Json,
    inherited: &[(&'static str, Cell)],
    out: &mut Vec<Row>,
) {
    let row = own_row(ty, doc, inherited);
    // Only the join columns of the row are carried down, so they are the only cells copied.
    let mut owned: Vec<Owned> = Vec::new();
    for relationship in ty.relationships {
        let (Some(_), Some(child)) = (relationship.owned, TypeDef::named(relationship.target))
        else {
            continue;
        };
        let joined = relationship
            .join
            .iter()
            .map(|(parent_column, child_column)| {
                (
                    *child_column,
                    row.get(parent_column).cloned().unwrap_or(Cell::Null),
                )
            })
            .collect();
        owned.push((relationship, child, joined));
    }
    out.push(row);
    for (relationship, child, joined) in owned {
        let Some(path) = relationship.owned else {
            continue;
        };
        match at(doc, path) {
            Some(Json::Array(items)) => {
                let ordered = orders_by_ordinal(relationship);
                for (ordinal, item) in items.iter().enumerate() {
                    let mut inherited = joined.clone();
                    if ordered {
                        inherited.push((
                            "ordinal",
                            Cell::Int(i64::try_from(ordinal).unwrap_or(i64::MAX)),
                        ));
                    }
                    collect(child, item, &inherited, out);
                }
            }
            Some(item @ Json::Object(_)) => collect(child, item, &joined, out),
            _ => {}
        }
    }
}

fn own_row(ty: &TypeDef, doc: &Json, inherited: &[(&'static str, Cell)]) -> Row {
    let arn = ty
        .fields
        .iter()
        .find(|f| f.name == "arn")
        .and_then(|f| match f.api {
            Api::At(path) => at(doc, path).and_then(Json::as_str),
            _ => None,
        });
    let mut cells: Vec<(&'static str, Cell)> = Vec::with_capacity(ty.fields.len());
    for field in ty.fields {
        let FieldSource::Column(column) = field.source else {
            continue;
        };
        if cells.iter().any(|(c, _)| *c == column) {
            continue;
        }
        let value = match field.api {
            Api::None | Api::Derived => continue,
            Api::At(path) => at(doc, path).map_or(Cell::Null, |v| cell(field.kind, v)),
            Api::Keys(path) => match at(doc, path) {
                Some(Json::Object(map)) => {
                    let mut keys: Vec<String> = map.keys().cloned().collect();
                    keys.sort_unstable();
                    Cell::TextList(keys)
                }
                _ => Cell::Null,
            },
            Api::Each(path, key) => match at(doc, path) {
                Some(Json::Array(items)) => Cell::TextList(
                    items
                        .iter()
                        .filter_map(|item| item.get(key).and_then(Json::as_str))
                        .map(str::to_owned)
                        .collect(),
                ),
                _ => Cell::Null,
            },
            Api::Named(path, name) => at(doc, path)
                .and_then(Json::as_array)
                .and_then(|pairs| {
                    pairs
                        .iter()
                        .find(|p| p.get("name").and_then(Json::as_str) == Some(name))
                })
                .and_then(|pair| pair.get("value"))
                .map_or(Cell::Null, |v| cell(field.kind, v)),
            Api::Strip(prefix, path) => at(doc, path)
                .and_then(Json::as_str)
                .and_then(|text| text.strip_prefix(prefix))
                .map_or(Cell::Null, |rest| Cell::Text(rest.to_owned())),
            Api::Enabled(path) => match at(doc, path).and_then(Json::as_str) {
                Some("ENABLED") => Cell::Bool(true),
                Some("DISABLED") => Cell::Bool(false),
                _ => Cell::Null,
            },
            Api::Set(path) => Cell::Bool(at(doc, path).is_some_and(|v| match v {
                Json::String(s) => !s.is_empty(),
                Json::Array(items) => !items.is_empty(),
                Json::Object(map) => !map.is_empty(),
                _ => true,
            })),
            Api::ArnIdOr(path) => match at(doc, path).and_then(Json::as_str) {
                Some(text) if !path.is_empty() => Cell::Text(text.to_owned()),
                _ => arn
                    .and_then(|a| a.rsplit(['/', ':']).next())
                    .map_or(Cell::Null, |id| Cell::Text(id.to_owned())),
            },
        };
        cells.push((column, value));
    }
    for (column, value) in inherited {
        if !cells.iter().any(|(c, _)| c == column) {
            cells.push((column, value.clone()));
        }
    }
    Row {
        table: ty.table,
        cells,
    }
}

/// A digest of an asset's rows: it changes exactly when something the inventory stores
/// changes (a change the catalogue does not describe leaves it as it was).
pub fn content_hash(rows: &[Row]) -> String {
    let mut hasher = Sha256::new();
    for row in rows {
        hasher.update(row.table.as_bytes());
        hasher.update(b"\n");
        for (column, value) in &row.cells {
            hasher.update(column.as_bytes());
            // A tag byte per kind, then a fixed-width or length-prefixed value: no two
            // different rows hash the same bytes.
            match value {
                Cell::Null => hasher.update(b"~"),
                Cell::Bool(b) => hasher.update(if *b { b"b1" } else { b"b0" }),
                Cell::Int(i) => {
                    hasher.update(b"i");
                    hasher.update(i.to_le_bytes());
                }
                Cell::Text(s) => hash_text(&mut hasher, s),
                Cell::TextList(items) => {
                    hasher.update(b"l");
                    hasher.update((items.len() as u64).to_le_bytes());
                    for item in items {
                        hash_text(&mut hasher, item);
                    }
                }
                Cell::Time(t) => {
                    hasher.update(b"t");
                    hasher.update(t.timestamp_micros().to_le_bytes());
                }
            }
        }
    }
    hex::encode(hasher.finalize())
}

fn hash_text(hasher: &mut Sha256, text: &str) {
    hasher.update(b"s");
    hasher.update((text.len() as u64).to_le_bytes());
    hasher.update(text.as_bytes());
}

/// A digest of how an asset of type `ty` is read (its tables, columns, kinds and API paths):
/// stored with each row, so that a revision stored under an older description is described
/// again once (AWS never changes a registered revision, so the sync otherwise skips it).
pub fn model_version(ty: &'static TypeDef) -> String {
    let mut hasher = Sha256::new();
    let mut types = vec![ty];
    let mut seen: Vec<&str> = Vec::new();
    while let Some(ty) = types.pop() {
        if seen.contains(&ty.name) {
            continue;
        }
        seen.push(ty.name);
        hasher.update(ty.table.as_bytes());
        // Only what is read from the API: a field computed by SQL or by the writer changes
        // no stored row, so it must not make the sync describe every revision again.
        for field in ty.fields {
            if matches!(field.api, Api::None | Api::Derived) {
                continue;
            }
            hasher.update(format!(
                "|{:?}|{:?}|{:?}",
                field.source, field.kind, field.api
            ));
        }
        for relationship in ty.relationships {
            if let (Some(path), Some(child)) =
                (relationship.owned, TypeDef::named(relationship.target))
            {
                hasher.update(format!(
                    "|{}>{:?}{:?}",
                    relationship.name, path, relationship.join
                ));
                types.push(child);
            }
        }
    }
    hex::encode(&hasher.finalize()[..8])
}

/// The value at `path` in `doc` (`doc` itself for an empty path); JSON `null` is absent.
fn at<'a>(doc: &'a Json, path: &[&str]) -> Option<&'a Json> {
    let mut value = doc;
    for key in path {
        value = value.get(key)?;
    }
    (!value.is_null()).then_some(value)
}

/// `value` read as `kind`; a value of another shape is null, never a guess.
fn cell(kind: ScalarKind, value: &Json) -> Cell {
    match (kind, value) {
        (ScalarKind::Boolean, Json::Bool(b)) => Cell::Bool(*b),
        // Some integers come as JSON numbers with a fraction (a task set's `scale.value`);
        // a whole one reads as the integer, any other as null.
        (ScalarKind::Int, Json::Number(n)) => match (n.as_i64(), n.as_f64()) {
            (Some(i), _) => Cell::Int(i),
            (None, Some(f)) if f.fract() == 0.0 && f.abs() < 9.0e15 => Cell::Int(f as i64),
            _ => Cell::Null,
        },
        (ScalarKind::Id | ScalarKind::String, Json::String(s)) => Cell::Text(s.clone()),
        // The task-level `cpu`/`memory` are strings in the API; integers elsewhere are shown as
        // their text when a string field is described on them.
        (ScalarKind::Id | ScalarKind::String, Json::Number(n)) => Cell::Text(n.to_string()),
        (ScalarKind::StringList, Json::Array(items)) => Cell::TextList(
            items
                .iter()
                .filter_map(|i| i.as_str().map(str::to_owned))
                .collect(),
        ),
        (ScalarKind::DateTime, value) => time(value).map_or(Cell::Null, Cell::Time),
        _ => Cell::Null,
    }
}

/// A time as the API's JSON protocol writes it (seconds since the epoch, with a fraction), or
/// as RFC 3339 text (files and CloudFormation).
fn time(value: &Json) -> Option<DateTime<Utc>> {
    match value {
        Json::Number(n) => {
            let seconds = n.as_f64()?;
            let whole = seconds.floor();
            // Microseconds, as the inventory stores them.
            let micros = ((seconds - whole) * 1e6).round();
            DateTime::from_timestamp(whole as i64, (micros as u32).min(999_999) * 1_000)
        }
        Json::String(s) => DateTime::parse_from_rfc3339(s)
            .ok()
            .map(|t| t.with_timezone(&Utc)),
        _ => None,
    }
}

#[cfg(test)]
#[path = "document_tests.rs"]
mod tests;
