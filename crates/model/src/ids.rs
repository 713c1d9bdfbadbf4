use std::fmt;

use serde::{Deserialize, Serialize};

/// A value that failed to parse into one of the identifier newtypes.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum IdError {
    /// The ARN does not have the `arn:partition:service:region:account:resource` shape.
    #[error("invalid ARN {value:?}: {reason}")]
    InvalidArn {
        /// The rejected input.
        value: String,
        /// Why it was rejected.
        reason: &'static str,
    },
    /// A tenant id must be 1–64 characters of `[A-Za-z0-9_.-]`.
    #[error("invalid tenant id {value:?}: use 1-64 characters of letters, digits, '_', '.', '-'")]
    InvalidTenant {
        /// The rejected input.
        value: String,
    },
}

/// An Amazon Resource Name, validated to have its six colon-separated parts.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Arn(String);

impl Arn {
    /// Parses an ARN, checking the `arn:` prefix and the number of parts.
    pub fn parse(value: impl Into<String>) -> Result<Self, IdError> {
        let value = value.into();
        let invalid = |reason| IdError::InvalidArn {
            value: value.clone(),
            reason,
        };
        if !value.starts_with("arn:") {
            return Err(invalid("does not start with 'arn:'"));
        }
        if value.splitn(6, ':').count() != 6 {
            return Err(invalid("needs six ':'-separated parts"));
        }
        if value.splitn(6, ':').nth(5).is_none_or(str::is_empty) {
            return Err(invalid("has an empty resource part"));
        }
        Ok(Self(value))
    }

    /// The ARN's text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The region part (may be empty for global resources).
    pub fn region(&self) -> &str {
        self.0.split(':').nth(3).unwrap_or_default()
    }

    /// The account part.
    pub fn account(&self) -> &str {
        self.0.split(':').nth(4).unwrap_or_default()
    }

    /// The resource part after the last `/` (or the whole resource part): a readable name.
    pub fn resource_name(&self) -> &str {
        let resource = self.0.splitn(6, ':').nth(5).unwrap_or_default();
        resource.rsplit('/').next().unwrap_or(resource)
    }
}

impl TryFrom<String> for Arn {
    type Error = IdError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(value)
    }
}

impl From<Arn> for String {
    fn from(arn: Arn) -> Self {
        arn.0
    }
}

impl fmt::Display for Arn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The tenant that owns assets; every query and write is confined to one.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct TenantId(String);

impl TenantId {
    /// Parses a tenant id: 1–64 characters of `[A-Za-z0-9_.-]`.
    pub fn parse(value: impl Into<String>) -> Result<Self, IdError> {
        let value = value.into();
        let valid = !value.is_empty()
            && value.len() <= 64
            && value
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'));
        if valid {
            Ok(Self(value))
        } else {
            Err(IdError::InvalidTenant { value })
        }
    }

    /// The tenant used when nothing else is configured.
    pub fn default_tenant() -> Self {
        Self("default".to_owned())
    }

    /// The id's text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for TenantId {
    type Error = IdError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(value)
    }
}

impl From<TenantId> for String {
    fn from(id: TenantId) -> Self {
        id.0
    }
}

impl fmt::Display for TenantId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The unit of ingestion: one cloud account in one region, owned by one tenant.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Scope {
    /// The owning tenant.
    pub tenant: TenantId,
    /// The AWS account id.
    pub cloud_account_id: String,
    /// The AWS region, e.g. `us-east-1`.
    pub region: String,
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}/{}/{}",
            self.tenant, self.cloud_account_id, self.region
        )
    }
}

/// The id of one sync run (one scope, one pass of the collector).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct SyncRunId(pub i64);

impl fmt::Display for SyncRunId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arn_parses_parts() {
        let arn = Arn::parse("arn:aws:ecs:us-east-1:123456789012:task-definition/web:3")
            .expect("valid arn");
        assert_eq!(arn.region(), "us-east-1");
        assert_eq!(arn.account(), "123456789012");
        assert_eq!(arn.resource_name(), "web:3");
    }

    #[test]
    fn arn_rejects_malformed_input_with_reason() {
        assert!(matches!(
            Arn::parse("aws:ecs:x"),
            Err(IdError::InvalidArn { reason, .. }) if reason.contains("arn:")
        ));
        assert!(Arn::parse("arn:aws:ecs:us-east-1:1").is_err());
        assert!(Arn::parse("arn:aws:ecs:us-east-1:1:").is_err());
    }

    #[test]
    fn tenant_id_rejects_spaces_and_empty() {
        assert!(TenantId::parse("acme-prod").is_ok());
        assert!(TenantId::parse("").is_err());
        assert!(TenantId::parse("a b").is_err());
        assert!(TenantId::parse("x".repeat(65)).is_err());
    }
}
