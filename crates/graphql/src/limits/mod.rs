//! Limits on hostile or accidental queries. Each exceeded limit is reported with its own
//! `extensions.code` and the limit's value in `extensions.limit`.

use assetql_model::ErrorCode;
use std::time::Duration;

use async_graphql::Error;
use serde_json::Value as Json;

use crate::error::{coded, limit_error};

mod fragments;
mod text;

use fragments::check_fragments;
pub(crate) use text::check_text;
pub use text::MAX_NESTING;

/// The limits a request is held to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Deepest field nesting, fragments expanded (`QUERY_TOO_DEEP`).
    pub max_depth: usize,
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
    /// Longest chain of fragment spreads (`...A` inside `A` spreading `...B`, …)
    /// (`FRAGMENTS_TOO_DEEP`).
    pub max_fragment_depth: usize,
    /// Most selections (fields, inline fragments, spreads) of the document with every fragment
    /// spread replaced by the fragment's selections (`TOO_MANY_SELECTIONS`).
    pub max_selections: usize,
    /// Most statements one request runs at the same time (more wait their turn).
    pub max_concurrent_statements: usize,
    /// Most statements one tenant's requests run at the same time, so that others always find
    /// a free connection (the server sets it to three quarters of its pool).
    pub max_tenant_statements: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_depth: 16,
            max_aliases: 100,
            max_filter_nodes: 1_000,
            max_list_length: 1_000,
            max_string_length: 4_096,
            default_page_size: 1_000,
            max_page_size: 10_000,
            query_timeout: Duration::from_secs(30),
            max_fragment_depth: 32,
            max_selections: 2_000,
            max_concurrent_statements: 2,
            max_tenant_statements: 6,
        }
    }
}

pub(crate) fn as_u64(n: usize) -> u64 {
    u64::try_from(n).unwrap_or(u64::MAX)
}

/// A string with a NUL byte: PostgreSQL cannot store or compare one, so it is refused on both
/// databases alike, before it reaches either.
fn nul_error() -> Error {
    coded(
        "a string value contains a NUL byte (U+0000), which no asset field can hold",
        ErrorCode::BadUserInput,
    )
}

/// Refuses a string with a NUL byte or longer than the limit; `what` names it in the message.
fn check_string(s: &str, what: &str, limits: &Limits) -> Result<(), Error> {
    if s.contains('\0') {
        return Err(nul_error());
    }
    if s.len() > limits.max_string_length {
        return Err(limit_error(
            format!(
                "{what} string of {} bytes exceeds the limit of {}",
                s.len(),
                limits.max_string_length
            ),
            ErrorCode::StringTooLong,
            as_u64(limits.max_string_length),
        ));
    }
    Ok(())
}

/// Refuses a list longer than the limit; `what` names it in the message.
fn check_list(len: usize, what: &str, limits: &Limits) -> Result<(), Error> {
    if len > limits.max_list_length {
        return Err(limit_error(
            format!(
                "{what} list of {len} items exceeds the limit of {}",
                limits.max_list_length
            ),
            ErrorCode::ListTooLong,
            as_u64(limits.max_list_length),
        ));
    }
    Ok(())
}

/// Checks the strings and lists of a where-input (or of a request's variables) before it is
/// parsed.
pub(crate) fn check_input(input: &Json, limits: &Limits) -> Result<(), Error> {
    match input {
        Json::String(s) => check_string(s, "a filter", limits),
        Json::Array(items) => {
            check_list(items.len(), "a filter", limits)?;
            items.iter().try_for_each(|i| check_input(i, limits))
        }
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
            ErrorCode::FilterTooLarge,
            as_u64(limits.max_filter_nodes),
        ));
    }
    Ok(())
}

/// The page size to use: the client's (at most the maximum), or the default.
/// The rows a root list field's statement fetches, and the default page size it is cut at
/// when the client gave no `limit`: one row more than the default is fetched, so that a cut
/// list is known to be cut (and says so, `warning::Truncated`) without counting.
pub(crate) fn list_limit(
    requested: Option<u64>,
    limits: &Limits,
    unpaged: bool,
) -> Result<(Option<u64>, Option<u64>), Error> {
    let limit = page_size(requested, limits, unpaged, "limit")?;
    if requested.is_none() && !unpaged {
        let cap = limits.default_page_size;
        return Ok((Some(cap.saturating_add(1)), Some(cap)));
    }
    Ok((limit, None))
}

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
            ErrorCode::PageTooLarge,
            limits.max_page_size,
        )),
        Some(n) => Ok(Some(n)),
        None if unpaged => Ok(None),
        None => Ok(Some(limits.default_page_size)),
    }
}

/// Every check of a parsed document, in order: literal strings and lists (and NUL bytes), the
/// request's variables, aliases, then the fragment graph. The last must come before anything
/// that follows fragment spreads (validation, the raw-answer checks, resolution).
pub(crate) fn check_document(
    document: &async_graphql::parser::types::ExecutableDocument,
    variables: Option<&Json>,
    limits: &Limits,
) -> Result<(), Error> {
    check_document_literals(document, limits)?;
    if let Some(variables) = variables {
        check_input(variables, limits)?;
    }
    let aliases = count_aliases(document);
    if aliases > limits.max_aliases {
        return Err(limit_error(
            format!(
                "the document has {aliases} aliases; the limit is {}",
                limits.max_aliases
            ),
            ErrorCode::TooManyAliases,
            as_u64(limits.max_aliases),
        ));
    }
    check_fragments(document, limits)
}

/// Counts aliased fields in a parsed document.
fn count_aliases(document: &async_graphql::parser::types::ExecutableDocument) -> usize {
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
fn check_document_literals(
    document: &async_graphql::parser::types::ExecutableDocument,
    limits: &Limits,
) -> Result<(), Error> {
    use async_graphql::parser::types::{Selection, SelectionSet};
    use async_graphql_value::Value;
    fn value(v: &Value, limits: &Limits) -> Result<(), Error> {
        match v {
            Value::String(s) => check_string(s, "a", limits),
            Value::List(items) => {
                check_list(items.len(), "a", limits)?;
                items.iter().try_for_each(|i| value(i, limits))
            }
            Value::Object(fields) => fields.values().try_for_each(|f| value(f, limits)),
            _ => Ok(()),
        }
    }
    fn walk(set: &SelectionSet, limits: &Limits) -> Result<(), Error> {
        set.items.iter().try_for_each(|item| match &item.node {
            Selection::Field(f) => {
                for (_, argument) in &f.node.arguments {
                    value(&argument.node, limits)?;
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
