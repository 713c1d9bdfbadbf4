/// An error from the store, classified once so that callers can map it to a response.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database URL names neither SQLite nor PostgreSQL.
    #[error("unsupported database URL {url:?}: use sqlite://PATH or postgres://USER@HOST/DB")]
    UnsupportedUrl {
        /// The URL with any password removed.
        url: String,
    },
    /// The database could not be reached or refused the connection.
    #[error("database unavailable ({target}): {source}")]
    Unavailable {
        /// What was being reached (URL without password, or the operation).
        target: String,
        /// The driver error.
        source: sqlx::Error,
    },
    /// Applying migrations failed.
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// A statement failed for a reason other than availability.
    #[error("database error during {operation}: {source}")]
    Query {
        /// The store operation that ran the statement.
        operation: &'static str,
        /// The driver error.
        source: sqlx::Error,
    },
    /// A value read back from the database did not have the expected shape.
    #[error("corrupt value in {column}: {reason}")]
    Corrupt {
        /// The column read.
        column: &'static str,
        /// What was wrong.
        reason: String,
    },
    /// An asset handed to the writer cannot be stored (it has no ARN, or its rows do not have
    /// the shape its description gives).
    #[error("cannot store a {asset_type}: {reason}")]
    InvalidAsset {
        /// The catalogue type.
        asset_type: &'static str,
        /// What was wrong.
        reason: String,
    },
    /// The database cancelled the statement because it ran past its deadline (PostgreSQL
    /// `statement_timeout`, SQLite's progress-handler interrupt).
    #[error("statement cancelled after its time limit during {operation}")]
    Timeout {
        /// The store operation that ran the statement.
        operation: &'static str,
    },
    /// No sync run with this id exists.
    #[error("sync run {0} not found")]
    SyncRunNotFound(i64),
}

impl StoreError {
    /// Classifies a driver error raised during `operation`.
    pub(crate) fn from_sqlx(operation: &'static str, source: sqlx::Error) -> Self {
        match source {
            sqlx::Error::Io(_)
            | sqlx::Error::Tls(_)
            | sqlx::Error::PoolTimedOut
            | sqlx::Error::PoolClosed
            | sqlx::Error::WorkerCrashed => StoreError::Unavailable {
                target: operation.to_owned(),
                source,
            },
            source if is_cancellation(&source) => StoreError::Timeout { operation },
            source if is_connection_loss(&source) => StoreError::Unavailable {
                target: operation.to_owned(),
                source,
            },
            source => StoreError::Query { operation, source },
        }
    }

    /// Whether the error means the database cannot be reached (as opposed to a bad statement).
    pub fn is_unavailable(&self) -> bool {
        matches!(self, StoreError::Unavailable { .. })
    }
}

/// PostgreSQL's `query_canceled` (57014, raised by `statement_timeout`) and SQLite's
/// `SQLITE_INTERRUPT` (9, raised when the progress handler gives up).
fn is_cancellation(error: &sqlx::Error) -> bool {
    code_of(error).is_some_and(|code| code == "57014" || code == "9")
}

/// PostgreSQL ending the session: class 08 (connection exception) and 57P01-57P03 (the server
/// shutting down, crashed, or not accepting connections yet).
fn is_connection_loss(error: &sqlx::Error) -> bool {
    code_of(error)
        .is_some_and(|code| code.starts_with("08") || matches!(&*code, "57P01" | "57P02" | "57P03"))
}

/// The database's error code (PostgreSQL SQLSTATE, SQLite extended result code).
fn code_of(error: &sqlx::Error) -> Option<std::borrow::Cow<'_, str>> {
    error.as_database_error().and_then(|e| e.code())
}

/// Returns `url` with the password (if any) replaced by `***`, for logs and errors.
pub(crate) fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let Some((userinfo, host)) = rest.split_once('@') else {
        return url.to_owned();
    };
    match userinfo.split_once(':') {
        Some((user, _password)) => format!("{scheme}://{user}:***@{host}"),
        None => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_never_appear_in_redacted_urls() {
        assert_eq!(
            redact_url("postgres://app:s3cret@db:5432/assetql"),
            "postgres://app:***@db:5432/assetql"
        );
        assert_eq!(redact_url("sqlite://assetql.db"), "sqlite://assetql.db");
        assert_eq!(redact_url("postgres://app@db/x"), "postgres://app@db/x");
    }
}
