//! A connection field's answer (`totalCount`, `aggregate { count { nodes } }`, `edges { cursor
//! node }`, `pageInfo`), written in one place in both its forms: as GraphQL values for the
//! executor ([`connection_object`]) and as JSON text around the database's node JSON for raw
//! answers ([`ConnectionShape`]). Both read the page the same way ([`Page`]): one row more than
//! `first` was fetched to tell whether a next page exists, and cursors are Relay offset cursors.

use async_graphql::{Error, Name, SelectionField, Value};
use base64::Engine as _;

use assetql_model::catalogue::{ScalarKind, TypeDef};
use assetql_sql::{CompileError, SortKey, Value as SqlValue};

use crate::error::compile_error;

/// A page of a connection: at most `first` nodes from offset `start`. The statement fetches one
/// row more than `first` (`fetched` below) to tell whether a next page exists.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Page {
    pub(crate) first: Option<u64>,
    pub(crate) start: u64,
}

impl Page {
    /// How many of `fetched` rows are the page's nodes.
    pub(crate) fn nodes(&self, fetched: usize) -> usize {
        match self.first {
            Some(n) => fetched.min(usize::try_from(n).unwrap_or(usize::MAX)),
            None => fetched,
        }
    }

    /// Whether rows follow the page (the statement fetched one more than `first`).
    pub(crate) fn has_next(&self, fetched: usize) -> bool {
        self.first
            .is_some_and(|n| u64::try_from(fetched).unwrap_or(u64::MAX) > n)
    }

    /// Whether rows precede the page.
    pub(crate) fn has_previous(&self) -> bool {
        self.start > 0
    }

    /// The cursor of the page's `i`th node.
    pub(crate) fn cursor(&self, i: usize) -> String {
        cursor(
            self.start
                .saturating_add(u64::try_from(i).unwrap_or(u64::MAX)),
        )
    }
}

const CURSOR_PREFIX: &str = "arrayconnection:";
const KEYSET_PREFIX: &str = "keyset:";

fn cursor(offset: u64) -> String {
    base64::engine::general_purpose::STANDARD.encode(format!("{CURSOR_PREFIX}{offset}"))
}

/// A keyset cursor: the row's offset (for `hasPreviousPage` and the next cursors), the sort it
/// was made under, and the row's sort values (`keys`, JSON text of an array), from which the
/// next page reads on.
fn keyset_cursor(offset: u64, sort: &str, keys: &str) -> Result<String, serde_json::Error> {
    let sort = serde_json::to_string(sort)?;
    Ok(base64::engine::general_purpose::STANDARD.encode(format!(
        "{KEYSET_PREFIX}{{\"o\":{offset},\"s\":{sort},\"k\":{keys}}}"
    )))
}

/// What an `after` cursor names.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum After {
    /// A Relay offset cursor (`arrayconnection:N`): the page starts after row N.
    Offset(u64),
    /// A keyset cursor: the page starts after the row with these sort values.
    Keyset {
        offset: u64,
        sort: String,
        keys: Vec<serde_json::Value>,
    },
}

pub(crate) fn decode_cursor(cursor: &str) -> Result<After, Error> {
    let bad = || {
        compile_error(CompileError::BadArgument {
            argument: "after".to_owned(),
            reason: "not a cursor returned by this API".to_owned(),
        })
    };
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(cursor)
        .map_err(|_| bad())?;
    let text = String::from_utf8(bytes).map_err(|_| bad())?;
    if let Some(keyset) = text.strip_prefix(KEYSET_PREFIX) {
        #[derive(serde::Deserialize)]
        struct Keyset {
            o: u64,
            s: String,
            k: Vec<serde_json::Value>,
        }
        let parsed: Keyset = serde_json::from_str(keyset).map_err(|_| bad())?;
        return Ok(After::Keyset {
            offset: parsed.o,
            sort: parsed.s,
            keys: parsed.k,
        });
    }
    text.strip_prefix(CURSOR_PREFIX)
        .and_then(|n| n.parse().ok())
        .map(After::Offset)
        .ok_or_else(bad)
}

/// The sort a keyset cursor is made under: the type and each key's field and direction. A
/// cursor is refused under another sort (its values would be read as other columns').
pub(crate) fn sort_fingerprint(ty: &TypeDef, sort: &[SortKey]) -> String {
    let keys: Vec<String> = sort
        .iter()
        .map(|k| format!("{}{}", k.field.name, if k.descending { "-" } else { "+" }))
        .collect();
    format!("{}:{}", ty.name, keys.join(","))
}

/// A keyset cursor's sort values as the statement's bound values: one per sort key, in the
/// key's type, then the type's key columns (text).
pub(crate) fn keyset_values(
    ty: &TypeDef,
    sort: &[SortKey],
    keys: &[serde_json::Value],
) -> Result<Vec<SqlValue>, Error> {
    use serde_json::Value as Json;
    let bad = || {
        compile_error(CompileError::BadArgument {
            argument: "after".to_owned(),
            reason: "not a cursor returned by this API".to_owned(),
        })
    };
    if keys.len() != sort.len() + ty.key.len() {
        return Err(bad());
    }
    let kinds = sort
        .iter()
        .map(|k| k.field.kind)
        .chain(ty.key.iter().map(|_| ScalarKind::String));
    kinds
        .zip(keys)
        .map(|(kind, key)| match (kind, key) {
            (ScalarKind::String | ScalarKind::Id, Json::String(s)) => Ok(SqlValue::text(s.clone())),
            (ScalarKind::String | ScalarKind::Id, Json::Null) => Ok(SqlValue::Text(None)),
            (ScalarKind::Int, Json::Number(n)) => {
                n.as_i64().map(|n| SqlValue::Int(Some(n))).ok_or_else(bad)
            }
            (ScalarKind::Int, Json::Null) => Ok(SqlValue::Int(None)),
            (ScalarKind::Boolean, Json::Bool(b)) => Ok(SqlValue::Bool(Some(*b))),
            (ScalarKind::Boolean, Json::Null) => Ok(SqlValue::Bool(None)),
            (ScalarKind::DateTime, Json::String(s)) => chrono::DateTime::parse_from_rfc3339(s)
                .map(|t| SqlValue::Timestamp(Some(t.with_timezone(&chrono::Utc))))
                .map_err(|_| bad()),
            (ScalarKind::DateTime, Json::Null) => Ok(SqlValue::Timestamp(None)),
            _ => Err(bad()),
        })
        .collect()
}

/// The layout of a connection field's answer: its selected parts, by response key, in
/// selection order, and the page they describe.
#[derive(Debug)]
pub(crate) struct ConnectionShape {
    page: Page,
    items: Vec<(String, ShapeItem)>,
    /// The sort keyset cursors are made under; None: offset cursors.
    keyset: Option<String>,
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

fn response_key<'a>(field: &'a SelectionField<'a>) -> &'a str {
    field.alias().unwrap_or(field.name())
}

/// The selected parts of `field` as (response key, kind). Strict (for raw answers): `None`
/// when a key repeats or `kind` does not know a field. Lenient (for the executor, which
/// merges repeated keys and answers meta fields itself): unknown fields are left out.
fn parts<K>(
    field: &SelectionField<'_>,
    strict: bool,
    kind: impl Fn(&SelectionField<'_>) -> Option<K>,
) -> Option<Vec<(String, K)>> {
    let fields: Vec<_> = field.selection_set().collect();
    if strict {
        let mut keys: Vec<&str> = fields.iter().map(|f| response_key(f)).collect();
        keys.sort_unstable();
        let before = keys.len();
        keys.dedup();
        if keys.len() != before {
            return None;
        }
    }
    let mut out = Vec::with_capacity(fields.len());
    for part in &fields {
        match kind(part) {
            Some(k) => out.push((response_key(part).to_owned(), k)),
            None if strict => return None,
            None => {}
        }
    }
    Some(out)
}

impl ConnectionShape {
    /// The layout of `field` for a raw answer; `None` when its selection repeats a response key
    /// or selects something else (the executor answers such selections).
    pub(crate) fn of(field: &SelectionField<'_>, page: Page) -> Option<ConnectionShape> {
        Self::build(field, page, true)
    }

    /// The layout of `field` for the executor: what it does not know is left out.
    pub(crate) fn lenient(field: &SelectionField<'_>, page: Page) -> ConnectionShape {
        Self::build(field, page, false).unwrap_or(ConnectionShape {
            page,
            items: Vec::new(),
            keyset: None,
        })
    }

    fn build(field: &SelectionField<'_>, page: Page, strict: bool) -> Option<ConnectionShape> {
        let items = parts(field, strict, |child| match child.name() {
            "totalCount" => Some(ShapeItem::Total),
            "aggregate" => parts(child, strict, |count| {
                (count.name() == "count").then_some(())?;
                parts(count, strict, |leaf| (leaf.name() == "nodes").then_some(()))
            })
            .map(ShapeItem::Aggregate),
            "edges" => parts(child, strict, |part| match part.name() {
                "cursor" => Some(EdgePart::Cursor),
                "node" => Some(EdgePart::Node),
                _ => None,
            })
            .map(ShapeItem::Edges),
            "pageInfo" => parts(child, strict, |part| match part.name() {
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
            page,
            items,
            keyset: None,
        })
    }

    /// Cursors of this shape are keyset cursors made under `sort` (the statement then returns
    /// each row's sort values when a cursor is selected).
    pub(crate) fn with_keyset(mut self, sort: String) -> Self {
        self.keyset = Some(sort);
        self
    }

    /// Whether a cursor is selected (the statement must return each row's sort values).
    pub(crate) fn wants_keys(&self) -> bool {
        self.keyset.is_some()
            && self.items.iter().any(|(_, item)| match item {
                ShapeItem::Edges(parts) => parts.iter().any(|(_, p)| matches!(p, EdgePart::Cursor)),
                ShapeItem::PageInfo(parts) => parts
                    .iter()
                    .any(|(_, p)| matches!(p, InfoPart::StartCursor | InfoPart::EndCursor)),
                _ => false,
            })
    }

    /// The cursor of the page's `i`th node, whose sort values are `keys` (JSON text) when the
    /// statement returned them.
    fn cursor_of(&self, i: usize, keys: Option<&str>) -> Result<String, serde_json::Error> {
        match (&self.keyset, keys) {
            (Some(sort), Some(keys)) => keyset_cursor(
                self.page
                    .start
                    .saturating_add(u64::try_from(i).unwrap_or(u64::MAX)),
                sort,
                keys,
            ),
            _ => Ok(self.page.cursor(i)),
        }
    }

    /// Whether the answer needs the page's nodes, and the total count.
    pub(crate) fn wants(&self) -> (bool, bool) {
        let nodes = self
            .items
            .iter()
            .any(|(_, i)| matches!(i, ShapeItem::Edges(_) | ShapeItem::PageInfo(_)));
        let count = self
            .items
            .iter()
            .any(|(_, i)| matches!(i, ShapeItem::Total | ShapeItem::Aggregate(_)));
        (nodes, count)
    }

    /// The answer as GraphQL values, from the statement's `totalCount`, fetched rows and, when
    /// it returned them, each row's sort values (for keyset cursors).
    pub(crate) fn to_value(
        &self,
        total: &Value,
        fetched: &[Value],
        keys: Option<&[Value]>,
    ) -> Value {
        let shown = &fetched[..self.page.nodes(fetched.len())];
        let key_text = |i: usize| -> Option<String> {
            keys.and_then(|k| k.get(i))
                .and_then(|v| v.clone().into_json().ok())
                .map(|json| json.to_string())
        };
        let cursor = |i: usize| -> String {
            self.cursor_of(i, key_text(i).as_deref())
                .unwrap_or_else(|_| self.page.cursor(i))
        };
        let has_next = self.page.has_next(fetched.len());
        let object = |entries: Vec<(Name, Value)>| Value::Object(entries.into_iter().collect());
        let key = |k: &String| Name::new(k);
        object(
            self.items
                .iter()
                .map(|(k, item)| {
                    let value = match item {
                        ShapeItem::Total => total.clone(),
                        ShapeItem::Aggregate(counts) => object(
                            counts
                                .iter()
                                .map(|(k, leaves)| {
                                    let leaves =
                                        leaves.iter().map(|(k, ())| (key(k), total.clone()));
                                    (key(k), object(leaves.collect()))
                                })
                                .collect(),
                        ),
                        ShapeItem::Edges(parts) => Value::List(
                            shown
                                .iter()
                                .enumerate()
                                .map(|(i, node)| {
                                    object(
                                        parts
                                            .iter()
                                            .map(|(k, part)| match part {
                                                EdgePart::Cursor => {
                                                    (key(k), Value::String(cursor(i)))
                                                }
                                                EdgePart::Node => (key(k), node.clone()),
                                            })
                                            .collect(),
                                    )
                                })
                                .collect(),
                        ),
                        ShapeItem::PageInfo(parts) => object(
                            parts
                                .iter()
                                .map(|(k, part)| {
                                    let value = match part {
                                        InfoPart::HasNext => Value::Boolean(has_next),
                                        InfoPart::HasPrevious => {
                                            Value::Boolean(self.page.has_previous())
                                        }
                                        InfoPart::StartCursor if !shown.is_empty() => {
                                            Value::String(cursor(0))
                                        }
                                        InfoPart::EndCursor if !shown.is_empty() => {
                                            Value::String(cursor(shown.len() - 1))
                                        }
                                        InfoPart::StartCursor | InfoPart::EndCursor => Value::Null,
                                    };
                                    (key(k), value)
                                })
                                .collect(),
                        ),
                    };
                    (key(k), value)
                })
                .collect(),
        )
    }

    /// The answer as JSON text, from the statement's JSON text
    /// (`{"nodes": [...], "totalCount": n}`, each part only when selected): nodes are copied as
    /// the database wrote them; edges, cursors and `pageInfo` are written around them.
    pub(crate) fn apply(&self, text: &str) -> Result<String, serde_json::Error> {
        type Raw<'a> = &'a serde_json::value::RawValue;
        #[derive(serde::Deserialize)]
        struct Keyed<'a> {
            #[serde(borrow)]
            nodes: Vec<Raw<'a>>,
            #[serde(borrow)]
            keys: Vec<Raw<'a>>,
        }
        #[derive(serde::Deserialize)]
        struct Answer<'a> {
            #[serde(borrow, default)]
            nodes: Option<Vec<Raw<'a>>>,
            #[serde(borrow, default)]
            page: Option<Keyed<'a>>,
            #[serde(borrow, default, rename = "totalCount")]
            total: Option<Raw<'a>>,
        }
        let answer: Answer<'_> = serde_json::from_str(text)?;
        // Nodes the layout needs but the statement did not return are an error (the caller
        // answers `INTERNAL`), never an empty page; so are sort values that do not match them.
        let (fetched, keys) = match (answer.nodes, answer.page) {
            (Some(nodes), None) => (nodes, None),
            (None, Some(page)) if page.keys.len() == page.nodes.len() => {
                (page.nodes, Some(page.keys))
            }
            (None, Some(_)) => {
                return Err(serde::de::Error::custom(
                    "sort values do not match the nodes",
                ))
            }
            (None, None) if !self.wants().0 => (Vec::new(), None),
            _ => {
                return Err(serde::de::Error::missing_field("nodes"));
            }
        };
        let shown = &fetched[..self.page.nodes(fetched.len())];
        let has_next = self.page.has_next(fetched.len());
        let total = answer.total.map_or("null", |t| t.get());
        let cursor = |i: usize| {
            // Written compactly, as the executor's values are: one row, one cursor text.
            let keys = match keys.as_ref().and_then(|k| k.get(i)) {
                Some(k) => Some(serde_json::from_str::<serde_json::Value>(k.get())?.to_string()),
                None => None,
            };
            serde_json::to_string(&self.cursor_of(i, keys.as_deref())?)
        };
        let boolean = |b: bool| if b { "true" } else { "false" };
        let mut out = String::with_capacity(text.len() + 64 * shown.len() + 64);
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
                    for (n, node) in shown.iter().enumerate() {
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
                        InfoPart::HasNext => out.push_str(boolean(has_next)),
                        InfoPart::HasPrevious => out.push_str(boolean(self.page.has_previous())),
                        InfoPart::StartCursor if !shown.is_empty() => out.push_str(&cursor(0)?),
                        InfoPart::EndCursor if !shown.is_empty() => {
                            out.push_str(&cursor(shown.len() - 1)?);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_are_relay_offset_cursors() {
        assert_eq!(cursor(4), "YXJyYXljb25uZWN0aW9uOjQ=");
        assert_eq!(
            decode_cursor("YXJyYXljb25uZWN0aW9uOjQ=").expect("valid"),
            After::Offset(4)
        );
        let keyset =
            keyset_cursor(7, "EcsTaskDefinition:family+", r#"["svc1","arn:x"]"#).expect("a cursor");
        assert_eq!(
            decode_cursor(&keyset).expect("valid"),
            After::Keyset {
                offset: 7,
                sort: "EcsTaskDefinition:family+".to_owned(),
                keys: vec![serde_json::json!("svc1"), serde_json::json!("arn:x")],
            }
        );
        assert!(decode_cursor("bm9wZQ==").is_err());
    }

    #[test]
    fn a_page_shows_first_rows_and_knows_what_follows() {
        let page = Page {
            first: Some(2),
            start: 4,
        };
        assert_eq!((page.nodes(3), page.has_next(3)), (2, true));
        assert_eq!((page.nodes(2), page.has_next(2)), (2, false));
        assert!(page.has_previous());
        assert_eq!(page.cursor(1), cursor(5));
        let all = Page {
            first: None,
            start: 0,
        };
        assert_eq!(
            (all.nodes(7), all.has_next(7), all.has_previous()),
            (7, false, false)
        );
    }

    #[test]
    fn a_page_whose_nodes_are_missing_is_an_error_not_an_empty_page() {
        let page = Page {
            first: Some(2),
            start: 0,
        };
        let edges = ConnectionShape {
            page,
            keyset: None,
            items: vec![(
                "edges".to_owned(),
                ShapeItem::Edges(vec![("cursor".to_owned(), EdgePart::Cursor)]),
            )],
        };
        assert!(edges.apply(r#"{"totalCount":3}"#).is_err());
        assert_eq!(
            edges.apply(r#"{"nodes":[]}"#).expect("an empty page"),
            r#"{"edges":[]}"#
        );
        let count = ConnectionShape {
            page,
            keyset: None,
            items: vec![("totalCount".to_owned(), ShapeItem::Total)],
        };
        assert_eq!(
            count.apply(r#"{"totalCount":3}"#).expect("a count"),
            r#"{"totalCount":3}"#
        );
    }
}
