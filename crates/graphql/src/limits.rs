//! Limits on hostile or accidental queries. Each exceeded limit is reported with its own
//! `extensions.code` and the limit's value in `extensions.limit`.

use std::time::Duration;

use async_graphql::{Error, ErrorExtensions};
use serde_json::Value as Json;

/// The limits a request is held to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Deepest selection nesting (`QUERY_TOO_DEEP`).
    pub max_depth: usize,
    /// Most fields, counted by async-graphql's complexity (`QUERY_TOO_COMPLEX`).
    pub max_complexity: usize,
    /// Most aliased fields in one document (`TOO_MANY_ALIASES`).
    pub max_aliases: usize,
    /// Most nodes (AND/OR/NOT, comparisons, quantifiers) in one where-filter
    /// (`FILTER_TOO_LARGE`).
    pub max_filter_nodes: usize,
    /// Longest list in a filter, e.g. `_IN` (`LIST_TOO_LONG`).
    pub max_list_length: usize,
    /// Longest string in a filter (`STRING_TOO_LONG`).
    pub max_string_length: usize,
    /// Rows a list or connection returns when the client gives no `limit`/`first`.
    pub default_page_size: u64,
    /// Most rows a client may ask for (`PAGE_TOO_LARGE`).
    pub max_page_size: u64,
    /// Longest time one root field's statement may run (`TIMEOUT`).
    pub query_timeout: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_depth: 16,
            max_complexity: 5_000,
            max_aliases: 100,
            max_filter_nodes: 1_000,
            max_list_length: 1_000,
            max_string_length: 4_096,
            default_page_size: 1_000,
            max_page_size: 10_000,
            query_timeout: Duration::from_secs(30),
        }
    }
}

/// An error with `code` and the limit's value.
pub(crate) fn limit_error(message: String, code: &'static str, limit: u64) -> Error {
    Error::new(message).extend_with(|_, e| {
        e.set("code", code);
        e.set("limit", limit);
    })
}

fn as_u64(n: usize) -> u64 {
    u64::try_from(n).unwrap_or(u64::MAX)
}

/// Checks the strings and lists of a where-input before it is parsed.
pub(crate) fn check_input(input: &Json, limits: &Limits) -> Result<(), Error> {
    match input {
        Json::String(s) if s.len() > limits.max_string_length => Err(limit_error(
            format!(
                "a filter string of {} bytes exceeds the limit of {}",
                s.len(),
                limits.max_string_length
            ),
            "STRING_TOO_LONG",
            as_u64(limits.max_string_length),
        )),
        Json::Array(items) if items.len() > limits.max_list_length => Err(limit_error(
            format!(
                "a filter list of {} items exceeds the limit of {}",
                items.len(),
                limits.max_list_length
            ),
            "LIST_TOO_LONG",
            as_u64(limits.max_list_length),
        )),
        Json::Array(items) => items.iter().try_for_each(|i| check_input(i, limits)),
        Json::Object(fields) => fields.values().try_for_each(|v| check_input(v, limits)),
        _ => Ok(()),
    }
}

/// Checks the size of a parsed filter.
pub(crate) fn check_filter(filter: &assetql_sql::Filter, limits: &Limits) -> Result<(), Error> {
    let size = assetql_sql::filter::filter_size(filter);
    if size > limits.max_filter_nodes {
        return Err(limit_error(
            format!(
                "the filter has {size} nodes; the limit is {}",
                limits.max_filter_nodes
            ),
            "FILTER_TOO_LARGE",
            as_u64(limits.max_filter_nodes),
        ));
    }
    Ok(())
}

/// The page size to use: the client's (at most the maximum), or the default.
pub(crate) fn page_size(
    requested: Option<u64>,
    limits: &Limits,
    unpaged: bool,
    argument: &str,
) -> Result<Option<u64>, Error> {
    match requested {
        Some(n) if !unpaged && n > limits.max_page_size => Err(limit_error(
            format!(
                "{argument} {n} exceeds the maximum page size {}",
                limits.max_page_size
            ),
            "PAGE_TOO_LARGE",
            limits.max_page_size,
        )),
        Some(n) => Ok(Some(n)),
        None if unpaged => Ok(None),
        None => Ok(Some(limits.default_page_size)),
    }
}

/// Counts aliased fields in a parsed document.
pub(crate) fn count_aliases(document: &async_graphql::parser::types::ExecutableDocument) -> usize {
    use async_graphql::parser::types::{Selection, SelectionSet};
    fn walk(set: &SelectionSet) -> usize {
        set.items
            .iter()
            .map(|item| match &item.node {
                Selection::Field(f) => {
                    usize::from(f.node.alias.is_some()) + walk(&f.node.selection_set.node)
                }
                Selection::InlineFragment(i) => walk(&i.node.selection_set.node),
                Selection::FragmentSpread(_) => 0,
            })
            .sum()
    }
    document
        .operations
        .iter()
        .map(|(_, op)| walk(&op.node.selection_set.node))
        .sum::<usize>()
        + document
            .fragments
            .values()
            .map(|f| walk(&f.node.selection_set.node))
            .sum::<usize>()
}

/// The first oversized list or string among the literal arguments of a parsed document, checked
/// before validation so that a huge input is refused without walking it against the schema.
pub(crate) fn check_document_literals(
    document: &async_graphql::parser::types::ExecutableDocument,
    limits: &Limits,
) -> Result<(), Error> {
    use async_graphql::parser::types::{Selection, SelectionSet};
    fn value(v: &async_graphql::Value, limits: &Limits) -> Result<(), Error> {
        match v {
            async_graphql::Value::String(s) if s.len() > limits.max_string_length => {
                Err(limit_error(
                    format!(
                        "a string of {} bytes exceeds the limit of {}",
                        s.len(),
                        limits.max_string_length
                    ),
                    "STRING_TOO_LONG",
                    as_u64(limits.max_string_length),
                ))
            }
            async_graphql::Value::List(items) if items.len() > limits.max_list_length => {
                Err(limit_error(
                    format!(
                        "a list of {} items exceeds the limit of {}",
                        items.len(),
                        limits.max_list_length
                    ),
                    "LIST_TOO_LONG",
                    as_u64(limits.max_list_length),
                ))
            }
            async_graphql::Value::List(items) => items.iter().try_for_each(|i| value(i, limits)),
            async_graphql::Value::Object(fields) => {
                fields.values().try_for_each(|f| value(f, limits))
            }
            _ => Ok(()),
        }
    }
    fn walk(set: &SelectionSet, limits: &Limits) -> Result<(), Error> {
        set.items.iter().try_for_each(|item| match &item.node {
            Selection::Field(f) => {
                for (_, argument) in &f.node.arguments {
                    value(
                        &argument.node.clone().into_const().unwrap_or_default(),
                        limits,
                    )?;
                }
                walk(&f.node.selection_set.node, limits)
            }
            Selection::InlineFragment(i) => walk(&i.node.selection_set.node, limits),
            Selection::FragmentSpread(_) => Ok(()),
        })
    }
    for (_, operation) in document.operations.iter() {
        walk(&operation.node.selection_set.node, limits)?;
    }
    document
        .fragments
        .values()
        .try_for_each(|f| walk(&f.node.selection_set.node, limits))
}
