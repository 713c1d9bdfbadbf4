//! Checks on a document's text, before anything parses it.

use assetql_model::ErrorCode;
use async_graphql::Error;

use super::as_u64;
use crate::error::limit_error;

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
