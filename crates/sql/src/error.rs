use assetql_model::catalogue::TypeDef;
use assetql_model::ErrorCode;

/// Why a GraphQL request could not be compiled to SQL. Each variant maps to one
/// `extensions.code` at the GraphQL boundary.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CompileError {
    /// A where-input key names no field, relationship or operator of the type.
    #[error("unknown filter field {field:?} on {type_name}")]
    UnknownField {
        /// The input type, e.g. `EcsTaskDefinitionWhere`.
        type_name: String,
        /// The offending key.
        field: String,
    },
    /// A filter value or shape is invalid.
    #[error("invalid filter at {path}: {reason}")]
    BadFilter {
        /// Where in the input (`where.containerSpecs_SOME.user_CONTAINS`).
        path: String,
        /// What is wrong.
        reason: String,
    },
    /// A scalar was given where the dialect expects an input object (the current dialect's
    /// `{eq: …}` operators or `{some: …}` quantifiers). GraphQL validation should catch this;
    /// the executor's validator does not, so it is reported as a validation failure.
    #[error("invalid value at {path}: expected an input object of type {expected}")]
    ExpectedInputObject {
        /// Where in the input.
        path: String,
        /// The expected input type.
        expected: String,
    },
    /// A selection the compiler cannot print (e.g. too many fields for one JSON object).
    #[error("query too complex: {reason}")]
    TooComplex {
        /// What limit was hit.
        reason: String,
    },
    /// A `_MATCHES` pattern that is not a regular expression both databases read alike, or
    /// that is too long or too costly to run.
    #[error("invalid regular expression {pattern:?} at {path}: {reason}")]
    BadRegex {
        /// Where in the input.
        path: String,
        /// The pattern as given.
        pattern: String,
        /// What is wrong.
        reason: String,
    },
    /// A pagination or sort argument is invalid.
    #[error("invalid argument {argument}: {reason}")]
    BadArgument {
        /// The argument.
        argument: String,
        /// What is wrong.
        reason: String,
    },
}

impl CompileError {
    /// Fills in the input type name of an `UnknownField` raised below the type level.
    pub(crate) fn unknown_as(self, ty: &TypeDef, key: &str) -> Self {
        match self {
            CompileError::UnknownField { type_name, .. } if type_name.is_empty() => {
                CompileError::UnknownField {
                    type_name: format!("{}Where", ty.name),
                    field: key.to_owned(),
                }
            }
            other => other,
        }
    }

    /// The `extensions.code` this error is reported with.
    pub fn code(&self) -> ErrorCode {
        match self {
            CompileError::UnknownField { .. } | CompileError::BadFilter { .. } => {
                ErrorCode::BadFilter
            }
            CompileError::ExpectedInputObject { .. } => ErrorCode::GraphqlValidationFailed,
            CompileError::TooComplex { .. } => ErrorCode::QueryTooComplex,
            CompileError::BadArgument { .. } | CompileError::BadRegex { .. } => {
                ErrorCode::BadUserInput
            }
        }
    }
}
