//! Limits on hostile or accidental queries. Each exceeded limit is reported with its own
//! `extensions.code` and the limit's value in `extensions.limit`.

use assetql_model::ErrorCode;
use std::time::Duration;

use async_graphql::Error;
use serde_json::Value as Json;

use crate::error::{coded, limit_error};

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

fn as_u64(n: usize) -> u64 {
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

/// Refuses a document whose fragment spreads chain deeper than `max_fragment_depth`
/// (`FRAGMENTS_TOO_DEEP`), spread each other (a cycle, `GRAPHQL_VALIDATION_FAILED`), that has
/// more than `max_selections` selections once every spread is replaced by its fragment
/// (`TOO_MANY_SELECTIONS`), or whose fields nest deeper than `max_depth` with fragments
/// expanded (`QUERY_TOO_DEEP`; selection sets, inline fragments and spreads included, at most
/// twice that). Runs before anything else follows a fragment spread: it walks the fragment
/// graph with an explicit stack, and the selection sets within one definition nest at most
/// [`MAX_NESTING`] deep (checked on the text), so no walk after it can recurse without bound or
/// meet a cycle, and its cost is linear in the document's size.
fn check_fragments(
    document: &async_graphql::parser::types::ExecutableDocument,
    limits: &Limits,
) -> Result<(), Error> {
    use async_graphql::parser::types::{Selection, SelectionSet};
    use std::collections::{HashMap, HashSet};

    /// How deep a definition nests: fields, and selection sets of any kind (async-graphql's
    /// executor refuses more than 32 of those).
    #[derive(Clone, Copy, Default)]
    struct Depth {
        fields: u64,
        sets: u64,
    }
    impl Depth {
        fn max(self, other: Depth) -> Depth {
            Depth {
                fields: self.fields.max(other.fields),
                sets: self.sets.max(other.sets),
            }
        }
        fn plus(self, other: Depth) -> Depth {
            Depth {
                fields: self.fields.saturating_add(other.fields),
                sets: self.sets.saturating_add(other.sets),
            }
        }
    }
    /// Expanded size and depth of a fragment.
    #[derive(Clone, Copy)]
    struct Expanded {
        selections: u64,
        depth: Depth,
    }
    /// Selections of one definition (spreads counted, not followed), its own depth, and the
    /// fragments it spreads with the depth each spread sits at.
    struct Definition<'a> {
        own: u64,
        depth: Depth,
        spreads: Vec<(&'a str, Depth)>,
    }
    fn collect<'a>(set: &'a SelectionSet, at: Depth, into: &mut Definition<'a>) {
        for item in &set.items {
            into.own += 1;
            match &item.node {
                Selection::Field(f) => {
                    let inner = at.plus(Depth {
                        fields: 1,
                        sets: u64::from(!f.node.selection_set.node.items.is_empty()),
                    });
                    into.depth = into.depth.max(inner);
                    collect(&f.node.selection_set.node, inner, into);
                }
                Selection::InlineFragment(i) => {
                    let inner = at.plus(Depth { fields: 0, sets: 1 });
                    into.depth = into.depth.max(inner);
                    collect(&i.node.selection_set.node, inner, into);
                }
                Selection::FragmentSpread(s) => {
                    let inner = at.plus(Depth { fields: 0, sets: 1 });
                    into.spreads
                        .push((s.node.fragment_name.node.as_str(), inner));
                }
            }
        }
    }
    fn definition(set: &SelectionSet) -> Definition<'_> {
        let mut d = Definition {
            own: 0,
            depth: Depth::default(),
            spreads: Vec::new(),
        };
        collect(set, Depth::default(), &mut d);
        d
    }
    /// A definition's size and depth with the spreads (already expanded) followed.
    fn expand(d: &Definition<'_>, expanded: &HashMap<&str, Expanded>) -> Expanded {
        d.spreads.iter().fold(
            Expanded {
                selections: d.own,
                depth: d.depth,
            },
            |sum, (child, at)| match expanded.get(child) {
                Some(c) => Expanded {
                    selections: sum.selections.saturating_add(c.selections),
                    depth: sum.depth.max(at.plus(c.depth)),
                },
                None => sum,
            },
        )
    }
    let fragments: HashMap<&str, Definition<'_>> = document
        .fragments
        .iter()
        .map(|(name, f)| (name.as_str(), definition(&f.node.selection_set.node)))
        .collect();
    let too_deep = || {
        limit_error(
            format!(
                "fragment spreads chain more than {} deep",
                limits.max_fragment_depth
            ),
            ErrorCode::FragmentsTooDeep,
            as_u64(limits.max_fragment_depth),
        )
    };
    // Each fragment with its spreads expanded, computed children first with an explicit stack
    // (a chain of 10,000 fragments overflowed recursive walks).
    let mut expanded: HashMap<&str, Expanded> = HashMap::with_capacity(fragments.len());
    let mut names: Vec<&str> = fragments.keys().copied().collect();
    names.sort_unstable();
    for root in names {
        if expanded.contains_key(root) {
            continue;
        }
        let mut on_path: HashSet<&str> = HashSet::from([root]);
        let mut stack: Vec<(&str, usize)> = vec![(root, 0)];
        while let Some((name, next)) = stack.last_mut() {
            let current = &fragments[*name];
            if let Some((child, _)) = current.spreads.get(*next).copied() {
                *next += 1;
                if expanded.contains_key(child) || !fragments.contains_key(child) {
                    continue;
                }
                if on_path.contains(child) {
                    return Err(coded(
                        format!("fragment \"{child}\" spreads itself through its own selections"),
                        ErrorCode::GraphqlValidationFailed,
                    ));
                }
                if stack.len() >= limits.max_fragment_depth {
                    return Err(too_deep());
                }
                on_path.insert(child);
                stack.push((child, 0));
            } else {
                let name = *name;
                expanded.insert(name, expand(current, &expanded));
                on_path.remove(name);
                stack.pop();
            }
        }
    }
    let operations = document
        .operations
        .iter()
        .map(|(_, op)| expand(&definition(&op.node.selection_set.node), &expanded));
    let (mut selections, mut depth) = (0u64, Depth::default());
    for operation in operations {
        selections = selections.saturating_add(operation.selections);
        depth = depth.max(operation.depth);
    }
    let selections = expanded
        .values()
        .map(|e| e.selections)
        .fold(selections, u64::max);
    if selections > as_u64(limits.max_selections) {
        return Err(limit_error(
            format!(
                "the document has {selections} selections with its fragments expanded; the limit \
                 is {}",
                limits.max_selections
            ),
            ErrorCode::TooManySelections,
            as_u64(limits.max_selections),
        ));
    }
    let max_depth = as_u64(limits.max_depth);
    if depth.fields > max_depth || depth.sets > max_depth.saturating_mul(2).min(RECURSION_LIMIT) {
        return Err(limit_error(
            format!(
                "fields nest {} deep (selection sets {}) with fragments expanded; the limit is {}",
                depth.fields, depth.sets, limits.max_depth
            ),
            ErrorCode::QueryTooDeep,
            max_depth,
        ));
    }
    Ok(())
}

/// async-graphql's own limit on nested selection sets (its executor's `limit_recursive_depth`
/// default), below which [`check_fragments`] keeps every document.
const RECURSION_LIMIT: u64 = 32;

/// Deepest bracket nesting (`{`, `[`, `(`) a document may have. Checked on the text before
/// anything parses it: the parser, the filter compiler and the checks above all recurse once per
/// level, and a few thousand levels overflowed a release build's 2 MiB worker stack.
pub const MAX_NESTING: usize = 64;

/// Refuses, before anything parses it, a document nested deeper than [`MAX_NESTING`]
/// (strings, block strings and comments are skipped): selection sets (braces outside
/// arguments) as `QUERY_TOO_DEEP` with `max_depth`, which they exceed too, and argument values
/// as `INPUT_TOO_DEEP`. And a document whose selection sets hold more than twice
/// `max_selections` names (outside arguments: every selection has at least one) as
/// `TOO_MANY_SELECTIONS`: a 1 MiB body of 95,000 fields parses into ~30 MB of syntax tree, and
/// several at once would hold memory the allocator keeps.
pub(crate) fn check_text(
    query: &str,
    max_depth: usize,
    max_selections: usize,
) -> Result<(), Error> {
    let bytes = query.as_bytes();
    let is_name = |b: u8| b == b'_' || b.is_ascii_alphanumeric();
    let mut names = 0usize;
    let name_limit = max_selections.saturating_mul(2).saturating_add(64);
    let (mut depth, mut deepest, mut selection, mut deepest_selection) = (0usize, 0, 0usize, 0);
    let mut stack: Vec<bool> = Vec::new(); // per open bracket: is it a selection set?
    let mut arguments = 0usize;
    let mut i = 0usize;
    while i < bytes.len() {
        match bytes[i] {
            b'#' => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            b'"' if bytes[i..].starts_with(b"\"\"\"") => {
                i += 3;
                while i < bytes.len() && !bytes[i..].starts_with(b"\"\"\"") {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
                i += 2;
            }
            b'"' => {
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' && bytes[i] != b'\n' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
            }
            open @ (b'{' | b'[' | b'(') => {
                let is_selection = open == b'{' && arguments == 0;
                if open == b'(' {
                    arguments += 1;
                }
                if is_selection {
                    selection += 1;
                    deepest_selection = deepest_selection.max(selection);
                }
                stack.push(is_selection);
                depth += 1;
                deepest = deepest.max(depth);
                if depth > MAX_NESTING {
                    break;
                }
            }
            close @ (b'}' | b']' | b')') => {
                if close == b')' {
                    arguments = arguments.saturating_sub(1);
                }
                if stack.pop() == Some(true) {
                    selection -= 1;
                }
                depth = depth.saturating_sub(1);
            }
            b if arguments == 0 && (b == b'_' || b.is_ascii_alphabetic()) => {
                while i + 1 < bytes.len() && is_name(bytes[i + 1]) {
                    i += 1;
                }
                names += 1;
                if names > name_limit {
                    return Err(limit_error(
                        format!(
                            "the document's selections hold more than {name_limit} names; the \
                             limit is {max_selections} selections"
                        ),
                        ErrorCode::TooManySelections,
                        as_u64(max_selections),
                    ));
                }
            }
            _ => {}
        }
        i += 1;
    }
    if deepest_selection > MAX_NESTING.min(max_depth.max(1)) && deepest > MAX_NESTING {
        return Err(limit_error(
            format!("selection sets nest more than {MAX_NESTING} deep; the limit is {max_depth}"),
            ErrorCode::QueryTooDeep,
            as_u64(max_depth),
        ));
    }
    if deepest > MAX_NESTING {
        return Err(limit_error(
            format!("the document nests brackets more than {MAX_NESTING} deep"),
            ErrorCode::InputTooDeep,
            as_u64(MAX_NESTING),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod nesting_tests {
    use super::*;

    fn code(query: &str) -> Option<String> {
        check_text(query, 16, usize::MAX).err().map(|e| {
            e.extensions
                .and_then(|x| x.get("code").cloned())
                .map(|c| c.to_string().trim_matches('"').to_owned())
                .unwrap_or_default()
        })
    }

    #[test]
    fn nesting_is_counted_outside_strings_and_comments() {
        let deep = format!("{{ a(where: {}x{}) }}", "{NOT: ".repeat(70), "}".repeat(70));
        assert_eq!(code(&deep), Some("INPUT_TOO_DEEP".to_owned()));
        let selections = format!("{{ a {}b{} }}", "{ c ".repeat(100), " }".repeat(100));
        assert_eq!(code(&selections), Some("QUERY_TOO_DEEP".to_owned()));
        let quoted = format!(
            "{{ a(where: {{f: \"{}\"}}) }} # {}",
            "{".repeat(500),
            "[".repeat(500)
        );
        assert_eq!(code(&quoted), None);
        let block = format!("{{ a(d: \"\"\"{}\"\"\") }}", "(".repeat(500));
        assert_eq!(code(&block), None);
        assert_eq!(code(&format!("{}{}", "{".repeat(64), "}".repeat(64))), None);
    }
}
