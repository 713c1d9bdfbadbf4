//! Errors as clients see them: every error leaves the engine with an `extensions.code` from
//! [`ErrorCode`], given where the error arises (never read off its message).

use assetql_model::ErrorCode;
use assetql_sql::CompileError;
use assetql_store::StoreError;
use async_graphql::{Error, ErrorExtensionValues, ErrorExtensions, Response, ServerError, Value};

/// An error with `code`.
pub(crate) fn coded(message: impl Into<String>, code: ErrorCode) -> Error {
    Error::new(message).extend_with(|_, e| e.set("code", code.as_str()))
}

/// An error with `code` and the limit's value in `extensions.limit`.
pub(crate) fn limit_error(message: String, code: ErrorCode, limit: u64) -> Error {
    Error::new(message).extend_with(|_, e| {
        e.set("code", code.as_str());
        e.set("limit", limit);
    })
}

/// A compile error as the client sees it.
pub(crate) fn compile_error(error: CompileError) -> Error {
    let code = error.code();
    coded(error.to_string(), code)
}

/// A database error as the client sees it (details only in the log).
pub(crate) fn store_error(error: StoreError) -> Error {
    if error.is_unavailable() {
        tracing::warn!(%error, "database unavailable");
        coded(
            "the database is unavailable; retry later",
            ErrorCode::DatabaseUnavailable,
        )
    } else {
        tracing::error!(%error, "query failed");
        coded(
            "internal error while running the query",
            ErrorCode::Internal,
        )
    }
}

/// The error of an answer part that was lost inside the engine.
pub(crate) fn lost_part() -> Error {
    coded(
        "internal error: part of the answer was lost; nothing is reported rather than a \
         partial answer",
        ErrorCode::Internal,
    )
}

/// The code an error carries, if any.
pub(crate) fn code_of(error: &ServerError) -> Option<ErrorCode> {
    match error.extensions.as_ref()?.get("code")? {
        Value::String(code) => ErrorCode::parse(code),
        _ => None,
    }
}

/// A response that is one error and no data.
pub(crate) fn error_response(error: Error) -> Response {
    Response::from_errors(vec![error.into_server_error(async_graphql::Pos::default())])
}

/// The answer of [`crate::Engine::plan`] for a document it cannot plan.
pub(crate) fn not_plannable() -> Response {
    error_response(coded(
        "the document cannot be planned: only queries whose root fields are list or \
         connection fields answered by one statement each, without directives, can",
        ErrorCode::NotPlannable,
    ))
}

/// Whether the document does not fit the dialect: async-graphql's validation refused it (no
/// data, and errors without a code or a path: the engine's own checks and every resolver give
/// one), or a resolver found an input shape the validation let through
/// (`GRAPHQL_VALIDATION_FAILED`).
pub(crate) fn is_rejected_before_execution(response: &Response) -> bool {
    let before = !response.errors.is_empty()
        && matches!(response.data, Value::Null)
        && response
            .errors
            .iter()
            .all(|e| e.path.is_empty() && code_of(e).is_none());
    let shape = response
        .errors
        .iter()
        .any(|e| code_of(e) == Some(ErrorCode::GraphqlValidationFailed));
    before || shape
}

/// Gives an error without a code one by where it arose, never by its message: without a path,
/// async-graphql's validation refused the document (parse errors and the engine's own checks
/// are coded before the executor runs); with a path, a resolver failed without saying why.
pub(crate) fn add_code(error: &mut ServerError) {
    let has_code = error
        .extensions
        .as_ref()
        .is_some_and(|e| e.get("code").is_some());
    if has_code {
        return;
    }
    let code = if error.path.is_empty() {
        ErrorCode::GraphqlValidationFailed
    } else {
        ErrorCode::Internal
    };
    error
        .extensions
        .get_or_insert_with(ErrorExtensionValues::default)
        .set("code", code.as_str());
}

/// A syntax error from async-graphql's parser, coded.
pub(crate) fn parse_error(error: async_graphql::parser::Error) -> ServerError {
    let mut error = ServerError::from(error);
    error
        .extensions
        .get_or_insert_with(ErrorExtensionValues::default)
        .set("code", ErrorCode::GraphqlParseFailed.as_str());
    error
}
