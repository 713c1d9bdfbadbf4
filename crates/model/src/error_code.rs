//! Every `extensions.code` assetql reports, in one place: the code, the HTTP status an answer
//! carries when the error is its whole answer, and one line on what it means. The sql,
//! graphql, controls and server crates name codes only through [`ErrorCode`]; docs/errors.md
//! lists them all (a test holds the two in step).

/// An error's `extensions.code`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ErrorCode {
    /// The document is not GraphQL.
    GraphqlParseFailed,
    /// The document does not fit the schema of the dialect it ran in.
    GraphqlValidationFailed,
    /// A value is of the right type but not acceptable (a bad regex, a negative limit, NUL).
    BadUserInput,
    /// A where-filter names a field or operator its type does not have.
    BadFilter,
    /// The HTTP request is not a GraphQL request (not JSON, no query, a bad header).
    BadRequest,
    /// Fields or selection sets nest deeper than the limit.
    QueryTooDeep,
    /// Argument values nest deeper than the limit.
    InputTooDeep,
    /// Fragment spreads chain deeper than the limit.
    FragmentsTooDeep,
    /// More selections than the limit, fragments expanded.
    TooManySelections,
    /// More aliased fields than the limit.
    TooManyAliases,
    /// A where-filter has more nodes than the limit.
    FilterTooLarge,
    /// A list in a filter or in the variables is longer than the limit.
    ListTooLong,
    /// A string in a filter or in the variables is longer than the limit.
    StringTooLong,
    /// A client asked for more rows than the limit.
    PageTooLarge,
    /// A filter compiles to a statement too large for the database.
    QueryTooComplex,
    /// The request body is larger than the limit.
    RequestTooLarge,
    /// The request's headers or body did not arrive in time.
    RequestTimeout,
    /// A statement ran longer than the query timeout (or waited too long for its turn).
    Timeout,
    /// The database cannot be reached; retry later.
    DatabaseUnavailable,
    /// No valid bearer token was sent.
    Unauthenticated,
    /// The asset, control or path does not exist (for this tenant).
    NotFound,
    /// The controls API is asked of a server run without a control catalogue, or a re-scan of
    /// a server run without AWS accounts (`--config`).
    NotConfigured,
    /// A re-scan (`runControls(resync: true)`) could not sync a scope; nothing was evaluated.
    ResyncFailed,
    /// `Engine::plan` was asked of a document it cannot plan as one statement per root field.
    NotPlannable,
    /// Something failed inside assetql; the answer has no data (details are in the log).
    Internal,
}

impl ErrorCode {
    /// Every code, in documentation order.
    pub const ALL: &'static [ErrorCode] = &[
        ErrorCode::GraphqlParseFailed,
        ErrorCode::GraphqlValidationFailed,
        ErrorCode::BadUserInput,
        ErrorCode::BadFilter,
        ErrorCode::BadRequest,
        ErrorCode::QueryTooDeep,
        ErrorCode::InputTooDeep,
        ErrorCode::FragmentsTooDeep,
        ErrorCode::TooManySelections,
        ErrorCode::TooManyAliases,
        ErrorCode::FilterTooLarge,
        ErrorCode::ListTooLong,
        ErrorCode::StringTooLong,
        ErrorCode::PageTooLarge,
        ErrorCode::QueryTooComplex,
        ErrorCode::RequestTooLarge,
        ErrorCode::RequestTimeout,
        ErrorCode::Timeout,
        ErrorCode::DatabaseUnavailable,
        ErrorCode::Unauthenticated,
        ErrorCode::NotFound,
        ErrorCode::NotConfigured,
        ErrorCode::ResyncFailed,
        ErrorCode::NotPlannable,
        ErrorCode::Internal,
    ];

    /// The code as clients see it in `extensions.code`.
    pub const fn as_str(self) -> &'static str {
        match self {
            ErrorCode::GraphqlParseFailed => "GRAPHQL_PARSE_FAILED",
            ErrorCode::GraphqlValidationFailed => "GRAPHQL_VALIDATION_FAILED",
            ErrorCode::BadUserInput => "BAD_USER_INPUT",
            ErrorCode::BadFilter => "BAD_FILTER",
            ErrorCode::BadRequest => "BAD_REQUEST",
            ErrorCode::QueryTooDeep => "QUERY_TOO_DEEP",
            ErrorCode::InputTooDeep => "INPUT_TOO_DEEP",
            ErrorCode::FragmentsTooDeep => "FRAGMENTS_TOO_DEEP",
            ErrorCode::TooManySelections => "TOO_MANY_SELECTIONS",
            ErrorCode::TooManyAliases => "TOO_MANY_ALIASES",
            ErrorCode::FilterTooLarge => "FILTER_TOO_LARGE",
            ErrorCode::ListTooLong => "LIST_TOO_LONG",
            ErrorCode::StringTooLong => "STRING_TOO_LONG",
            ErrorCode::PageTooLarge => "PAGE_TOO_LARGE",
            ErrorCode::QueryTooComplex => "QUERY_TOO_COMPLEX",
            ErrorCode::RequestTooLarge => "REQUEST_TOO_LARGE",
            ErrorCode::RequestTimeout => "REQUEST_TIMEOUT",
            ErrorCode::Timeout => "TIMEOUT",
            ErrorCode::DatabaseUnavailable => "DATABASE_UNAVAILABLE",
            ErrorCode::Unauthenticated => "UNAUTHENTICATED",
            ErrorCode::NotFound => "NOT_FOUND",
            ErrorCode::NotConfigured => "NOT_CONFIGURED",
            ErrorCode::ResyncFailed => "RESYNC_FAILED",
            ErrorCode::NotPlannable => "NOT_PLANNABLE",
            ErrorCode::Internal => "INTERNAL",
        }
    }

    /// The code named `code`, if it is one.
    pub fn parse(code: &str) -> Option<ErrorCode> {
        ErrorCode::ALL.iter().copied().find(|c| c.as_str() == code)
    }

    /// The HTTP status of an answer that carries this error. GraphQL answers are 200 (their
    /// errors are in the body, as the GraphQL-over-HTTP convention for `application/json`
    /// has it) unless the error says the service itself failed: `DATABASE_UNAVAILABLE` 503,
    /// `INTERNAL` 500. Errors of the HTTP request itself have their own status.
    pub const fn http_status(self) -> u16 {
        match self {
            ErrorCode::BadRequest => 400,
            ErrorCode::Unauthenticated => 401,
            ErrorCode::NotFound => 404,
            ErrorCode::RequestTimeout => 408,
            ErrorCode::RequestTooLarge => 413,
            ErrorCode::Internal => 500,
            ErrorCode::DatabaseUnavailable => 503,
            _ => 200,
        }
    }

    /// One line on what the code means (the doc comment of its variant).
    pub const fn meaning(self) -> &'static str {
        match self {
            ErrorCode::GraphqlParseFailed => "The document is not GraphQL.",
            ErrorCode::GraphqlValidationFailed => {
                "The document does not fit the schema of the dialect it ran in."
            }
            ErrorCode::BadUserInput => {
                "A value is of the right type but not acceptable (a bad regex, a negative limit, NUL)."
            }
            ErrorCode::BadFilter => {
                "A where-filter names a field or operator its type does not have."
            }
            ErrorCode::BadRequest => {
                "The HTTP request is not a GraphQL request (not JSON, no query, a bad header)."
            }
            ErrorCode::QueryTooDeep => "Fields or selection sets nest deeper than the limit.",
            ErrorCode::InputTooDeep => "Argument values nest deeper than the limit.",
            ErrorCode::FragmentsTooDeep => "Fragment spreads chain deeper than the limit.",
            ErrorCode::TooManySelections => {
                "More selections than the limit, fragments expanded."
            }
            ErrorCode::TooManyAliases => "More aliased fields than the limit.",
            ErrorCode::FilterTooLarge => "A where-filter has more nodes than the limit.",
            ErrorCode::ListTooLong => {
                "A list in a filter or in the variables is longer than the limit."
            }
            ErrorCode::StringTooLong => {
                "A string in a filter or in the variables is longer than the limit."
            }
            ErrorCode::PageTooLarge => "A client asked for more rows than the limit.",
            ErrorCode::QueryTooComplex => {
                "A filter compiles to a statement too large for the database."
            }
            ErrorCode::RequestTooLarge => "The request body is larger than the limit.",
            ErrorCode::RequestTimeout => "The request's headers or body did not arrive in time.",
            ErrorCode::Timeout => {
                "A statement ran longer than the query timeout (or waited too long for its turn)."
            }
            ErrorCode::DatabaseUnavailable => "The database cannot be reached; retry later.",
            ErrorCode::Unauthenticated => "No valid bearer token was sent.",
            ErrorCode::NotFound => "The asset, control or path does not exist (for this tenant).",
            ErrorCode::NotConfigured => {
                "The controls API is asked of a server run without a control catalogue, or a re-scan of a server run without AWS accounts (`--config`)."
            }
            ErrorCode::ResyncFailed => {
                "A re-scan (`runControls(resync: true)`) could not sync a scope; nothing was evaluated."
            }
            ErrorCode::NotPlannable => {
                "`Engine::plan` was asked of a document it cannot plan as one statement per root field."
            }
            ErrorCode::Internal => {
                "Something failed inside assetql; the answer has no data (details are in the log)."
            }
        }
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_reads_back_and_is_listed_once() {
        let mut seen = std::collections::HashSet::new();
        for code in ErrorCode::ALL {
            assert_eq!(ErrorCode::parse(code.as_str()), Some(*code));
            assert!(seen.insert(code.as_str()), "{code} twice");
            assert!(code.meaning().ends_with('.'), "{code}");
        }
        assert_eq!(ErrorCode::parse("NOPE"), None);
    }

    /// docs/errors.md has a row for each code with its status and meaning, and no other code.
    #[test]
    fn every_code_is_documented() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/errors.md");
        let doc = std::fs::read_to_string(path).expect("docs/errors.md");
        // Rows of the codes table: a code, then a status.
        let rows: Vec<&str> = doc
            .lines()
            .filter(|l| {
                l.starts_with("| `")
                    && l.split('|')
                        .nth(2)
                        .is_some_and(|status| status.trim().parse::<u16>().is_ok())
            })
            .collect();
        for code in ErrorCode::ALL {
            let row = format!(
                "| `{}` | {} | {} |",
                code.as_str(),
                code.http_status(),
                code.meaning()
            );
            assert!(rows.contains(&row.as_str()), "docs/errors.md lacks: {row}");
        }
        assert_eq!(
            rows.len(),
            ErrorCode::ALL.len(),
            "docs/errors.md has other rows"
        );
    }
}
