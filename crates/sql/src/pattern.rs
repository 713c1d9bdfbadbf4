//! `_MATCHES` patterns: which are accepted, and how they are anchored to the whole string. The
//! two belong together: anchoring as `^(?:…)$` is safe only for a pattern whose groups balance,
//! which validation guarantees (`x)|(.*` would otherwise match every row).

use serde_json::Value as Json;

use crate::error::CompileError;

/// Longest `_MATCHES` pattern, in bytes.
pub const MAX_REGEX_LENGTH: usize = 512;

/// Most memory the compiled form of a `_MATCHES` pattern may take: patterns whose automaton
/// grows past it (nested counted repetitions such as `(.{0,100}){0,100}x`) are the ones that
/// cost PostgreSQL's backtracking engine seconds per row.
const MAX_REGEX_PROGRAM_BYTES: usize = 256 * 1024;

/// Refuses a `_MATCHES` pattern that is too long, uses a feature the two databases read
/// differently, does not compile with the `regex` crate (what SQLite runs), or compiles past
/// [`MAX_REGEX_PROGRAM_BYTES`].
pub(crate) fn validate(value: &Json, path: &str) -> Result<(), CompileError> {
    let Some(pattern) = value.as_str() else {
        return Ok(());
    };
    let refuse = |reason: String| CompileError::BadRegex {
        path: path.to_owned(),
        pattern: pattern.chars().take(100).collect(),
        reason,
    };
    if pattern.len() > MAX_REGEX_LENGTH {
        return Err(refuse(format!(
            "the pattern is {} bytes long; the limit is {MAX_REGEX_LENGTH}",
            pattern.len()
        )));
    }
    // Java regex features that PostgreSQL's AREs and Rust's regex read differently.
    for unsupported in ["(?<", "\\p{", "*+", "++", "?+", "(?="] {
        if pattern.contains(unsupported) {
            return Err(refuse(format!(
                "regular expression feature {unsupported:?} is not supported"
            )));
        }
    }
    // What SQLite runs (the regex crate) must accept it; balanced groups also keep the
    // whole-string anchoring `^(?:…)$` from being escaped by a pattern like `x)|(.*`.
    regex::RegexBuilder::new(pattern)
        .size_limit(MAX_REGEX_PROGRAM_BYTES)
        .build()
        .map_err(|e| match e {
            regex::Error::CompiledTooBig(_) => refuse(
                "the pattern's repetitions make it too costly to run; simplify nested counted \
                 repetitions"
                    .to_owned(),
            ),
            other => refuse(
                other
                    .to_string()
                    .lines()
                    .last()
                    .unwrap_or_default()
                    .trim()
                    .to_owned(),
            ),
        })?;
    Ok(())
}

/// Anchors a regex so that it matches the whole string, keeping a leading `(?flags)` in front.
pub(crate) fn anchor(pattern: &str) -> String {
    if let Some(rest) = pattern.strip_prefix("(?") {
        if let Some(end) = rest.find(')') {
            let flags = &rest[..end];
            if !flags.is_empty() && flags.chars().all(|c| c.is_ascii_alphabetic()) {
                return format!("(?{flags})^(?:{})$", &rest[end + 1..]);
            }
        }
    }
    format!("^(?:{pattern})$")
}

#[cfg(test)]
mod tests {
    use super::*;
    use assetql_model::catalogue::TypeDef;

    #[test]
    fn regexes_match_the_whole_string_and_keep_leading_flags() {
        assert_eq!(anchor("host"), "^(?:host)$");
        assert_eq!(anchor("(?i)ho.t"), "(?i)^(?:ho.t)$");
        assert_eq!(anchor("a|b"), "^(?:a|b)$");
    }

    fn outcome(pattern: &str) -> Result<(), String> {
        let ty = TypeDef::named("EcsTaskDefinition").expect("type");
        let input = serde_json::json!({ "family_MATCHES": pattern });
        crate::parse_where(ty, crate::QueryDialect::Legacy, &input)
            .map(|_| ())
            .map_err(|e| format!("{} {e}", e.code()))
    }

    #[test]
    fn patterns_that_escape_anchoring_or_cost_too_much_are_bad_user_input() {
        assert_eq!(outcome("svc-[0-9]+"), Ok(()));
        assert_eq!(outcome("(?i)^arn:aws:ecs:[a-z0-9-]+:\\d{12}:.*$"), Ok(()));
        for refused in ["x)|(.*", "(unclosed", "a\\", "(.{0,100}){0,100}x", "(a)\\1"] {
            let error = outcome(refused).expect_err(refused);
            assert!(error.starts_with("BAD_USER_INPUT"), "{refused}: {error}");
            assert!(error.contains("invalid regular expression"), "{error}");
        }
        let long = "a".repeat(MAX_REGEX_LENGTH + 1);
        assert!(outcome(&long)
            .expect_err("too long")
            .contains("limit is 512"));
    }
}
