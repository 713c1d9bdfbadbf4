//! Why reading a scope from ECS failed.

use aws_sdk_ecs::error::{DisplayErrorContext, ProvideErrorMetadata};

/// Why a scope could not be read.
#[derive(Debug, thiserror::Error)]
pub enum CollectError {
    /// An AWS API call failed (after the SDK's retries).
    #[error("{operation} failed: {code}: {message}")]
    Api {
        /// The operation, e.g. `ListClusters`.
        operation: &'static str,
        /// The AWS error code, e.g. `AccessDeniedException`, `ThrottlingException`.
        code: String,
        /// The error message, with the SDK's context.
        message: String,
    },
    /// AWS returned something the inventory cannot store.
    #[error("malformed {what} in the AWS response: {reason}")]
    Malformed {
        /// What was malformed.
        what: &'static str,
        /// Why.
        reason: String,
    },
}

impl CollectError {
    pub(crate) fn api<E>(operation: &'static str, error: aws_sdk_ecs::error::SdkError<E>) -> Self
    where
        E: ProvideErrorMetadata + std::error::Error + 'static,
    {
        let code = error.code().unwrap_or("Unknown").to_owned();
        CollectError::Api {
            operation,
            code,
            message: DisplayErrorContext(&error).to_string(),
        }
    }
}
