//! The Neo4j GraphQL Library's where-input grammar in both dialects (suffix operators such as
//! `networkMode_NOT`, `containerSpecs_SOME`, and the `{eq: ...}` operator objects) read into the
//! filter IR.

use assetql_model::catalogue::{Cardinality, FieldDef, RelationshipDef, ScalarKind, TypeDef};
use chrono::{DateTime, Utc};
use serde_json::Value as Json;

use crate::error::CompileError;
use crate::value::Value;

use super::{and, simplify, Filter, Quantifier, QueryDialect, ScalarOp};

/// Suffix operators, longest first so that `_NOT_IN` wins over `_IN`.
const SUFFIXES: [&str; 20] = [
    "NOT_STARTS_WITH",
    "NOT_ENDS_WITH",
    "NOT_CONTAINS",
    "NOT_INCLUDES",
    "STARTS_WITH",
    "ENDS_WITH",
    "CONTAINS",
    "INCLUDES",
    "MATCHES",
    "NOT_IN",
    "SINGLE",
    "SOME",
    "NONE",
    "ALL",
    "LTE",
    "GTE",
    "NOT",
    "IN",
    "LT",
    "GT",
];

/// The suffix operators a scalar field of `kind` offers in `syntax`, for schema generation and
/// parsing alike.
pub fn scalar_suffixes(kind: ScalarKind, syntax: QueryDialect) -> Vec<&'static str> {
    let mut out: Vec<&'static str> = Vec::new();
    let legacy = syntax == QueryDialect::Legacy;
    if legacy {
        out.push("NOT");
    }
    match kind {
        ScalarKind::Boolean => {}
        ScalarKind::StringList => {
            out.push("INCLUDES");
            if legacy {
                out.push("NOT_INCLUDES");
            }
        }
        ScalarKind::Id | ScalarKind::String => {
            out.extend(["IN", "CONTAINS", "STARTS_WITH", "ENDS_WITH", "MATCHES"]);
            if legacy {
                out.extend(["NOT_IN", "NOT_CONTAINS", "NOT_STARTS_WITH", "NOT_ENDS_WITH"]);
            }
        }
        ScalarKind::Int | ScalarKind::DateTime => {
            out.extend(["IN", "LT", "LTE", "GT", "GTE"]);
            if legacy {
                out.push("NOT_IN");
            }
        }
    }
    out
}

/// The name of the current dialect's operator input object for a scalar of `kind`.
pub fn operator_object_name(kind: ScalarKind) -> &'static str {
    match kind {
        ScalarKind::Id => "IDScalarFilters",
        ScalarKind::String => "StringScalarFilters",
        ScalarKind::Boolean => "BooleanScalarFilters",
        ScalarKind::Int => "IntScalarFilters",
        ScalarKind::DateTime => "DateTimeScalarFilters",
        ScalarKind::StringList => "StringListFilters",
    }
}

/// The keys of the current dialect's operator object for a scalar of `kind`.
pub fn operator_keys(kind: ScalarKind) -> &'static [&'static str] {
    match kind {
        ScalarKind::Boolean => &["eq"],
        ScalarKind::StringList => &["eq", "includes"],
        ScalarKind::Id | ScalarKind::String => {
            &["eq", "in", "contains", "startsWith", "endsWith", "matches"]
        }
        ScalarKind::Int | ScalarKind::DateTime => &["eq", "in", "lt", "lte", "gt", "gte"],
    }
}

/// The relationship suffixes of a relationship of `cardinality` in `syntax`.
pub fn relationship_suffixes(
    cardinality: Cardinality,
    syntax: QueryDialect,
) -> &'static [&'static str] {
    match (cardinality, syntax) {
        (Cardinality::Many, QueryDialect::Legacy) => &["SOME", "NONE", "ALL", "SINGLE", "NOT"],
        (Cardinality::Many, QueryDialect::Current) => &["SOME", "NONE", "ALL", "SINGLE"],
        (Cardinality::One, QueryDialect::Legacy) => &["NOT"],
        (Cardinality::One, QueryDialect::Current) => &[],
    }
}

/// Parses a where-input (as JSON) for `ty` in `syntax`. `Ok(None)` means "no condition".
pub fn parse_where(
    ty: &'static TypeDef,
    syntax: QueryDialect,
    input: &Json,
) -> Result<Option<Filter>, CompileError> {
    Ok(Parser { syntax }.object(ty, input, "where")?.map(simplify))
}

struct Parser {
    syntax: QueryDialect,
}

impl Parser {
    fn object(
        &self,
        ty: &'static TypeDef,
        input: &Json,
        path: &str,
    ) -> Result<Option<Filter>, CompileError> {
        let object = match input {
            Json::Null => return Ok(None),
            Json::Object(object) => object,
            _ => {
                return Err(CompileError::ExpectedInputObject {
                    path: path.to_owned(),
                    expected: format!("{}Where", ty.name),
                })
            }
        };
        let mut parts = Vec::with_capacity(object.len());
        for (key, value) in object {
            let key_path = format!("{path}.{key}");
            if let Some(part) = self.entry(ty, key, value, &key_path)? {
                parts.push(part);
            }
        }
        Ok(and(parts))
    }

    fn entry(
        &self,
        ty: &'static TypeDef,
        key: &str,
        value: &Json,
        path: &str,
    ) -> Result<Option<Filter>, CompileError> {
        match key {
            "AND" | "OR" => {
                let items = match value {
                    Json::Null => return Ok(None),
                    Json::Array(items) => items.as_slice(),
                    single => std::slice::from_ref(single),
                };
                let mut parts = Vec::with_capacity(items.len());
                for (i, item) in items.iter().enumerate() {
                    if let Some(part) = self.object(ty, item, &format!("{path}[{i}]"))? {
                        parts.push(part);
                    }
                }
                Ok(match (key, parts.len()) {
                    (_, 0) => None,
                    (_, 1) => parts.pop(),
                    ("AND", _) => Some(Filter::And(parts)),
                    _ => Some(Filter::Or(parts)),
                })
            }
            "NOT" => Ok(self
                .object(ty, value, path)?
                .map(|f| Filter::Not(Box::new(f)))),
            _ => {
                let (name, suffix) =
                    split_key(ty, key).ok_or_else(|| CompileError::UnknownField {
                        type_name: format!("{}Where", ty.name),
                        field: key.to_owned(),
                    })?;
                if let Some(field) = ty.field(name) {
                    self.scalar(field, suffix, value, path, key)
                        .map_err(|e| e.unknown_as(ty, key))
                } else if let Some(relationship) = ty.relationship(name) {
                    self.relationship(relationship, suffix, value, path, key)
                        .map_err(|e| e.unknown_as(ty, key))
                } else {
                    Err(CompileError::UnknownField {
                        type_name: format!("{}Where", ty.name),
                        field: key.to_owned(),
                    })
                }
            }
        }
    }

    fn scalar(
        &self,
        field: &'static FieldDef,
        suffix: Option<&str>,
        value: &Json,
        path: &str,
        key: &str,
    ) -> Result<Option<Filter>, CompileError> {
        if let Some(suffix) = suffix {
            if !scalar_suffixes(field.kind, self.syntax).contains(&suffix) {
                return Err(CompileError::UnknownField {
                    type_name: String::new(),
                    field: key.to_owned(),
                });
            }
            let (negated, op) = match suffix.strip_prefix("NOT_") {
                Some(rest) => (true, rest),
                None if suffix == "NOT" => (true, "EQ"),
                None => (false, suffix),
            };
            let op = match op {
                "EQ" => ScalarOp::Eq,
                "IN" => ScalarOp::In,
                "CONTAINS" => ScalarOp::Contains,
                "STARTS_WITH" => ScalarOp::StartsWith,
                "ENDS_WITH" => ScalarOp::EndsWith,
                "MATCHES" => ScalarOp::Matches,
                "LT" => ScalarOp::Lt,
                "LTE" => ScalarOp::Lte,
                "GT" => ScalarOp::Gt,
                "GTE" => ScalarOp::Gte,
                _ => ScalarOp::Includes,
            };
            return comparison(field, op, negated, value, path);
        }
        match (self.syntax, value) {
            (QueryDialect::Legacy, _) | (QueryDialect::Current, Json::Null) => {
                comparison(field, ScalarOp::Eq, false, value, path)
            }
            (QueryDialect::Current, Json::Object(ops)) => {
                let mut parts = Vec::new();
                for (op_key, op_value) in ops {
                    let op = match op_key.as_str() {
                        "eq" => ScalarOp::Eq,
                        "in" => ScalarOp::In,
                        "contains" => ScalarOp::Contains,
                        "startsWith" => ScalarOp::StartsWith,
                        "endsWith" => ScalarOp::EndsWith,
                        "matches" => ScalarOp::Matches,
                        "lt" => ScalarOp::Lt,
                        "lte" => ScalarOp::Lte,
                        "gt" => ScalarOp::Gt,
                        "gte" => ScalarOp::Gte,
                        "includes" => ScalarOp::Includes,
                        other => {
                            return Err(CompileError::BadFilter {
                                path: path.to_owned(),
                                reason: format!("unknown operator {other:?}"),
                            })
                        }
                    };
                    if !operator_keys(field.kind).contains(&op_key.as_str()) {
                        return Err(CompileError::BadFilter {
                            path: path.to_owned(),
                            reason: format!(
                                "operator {op_key:?} does not apply to a {} field",
                                field.kind.graphql_name()
                            ),
                        });
                    }
                    if let Some(part) =
                        comparison(field, op, false, op_value, &format!("{path}.{op_key}"))?
                    {
                        parts.push(part);
                    }
                }
                Ok(and(parts))
            }
            (QueryDialect::Current, _) => Err(CompileError::ExpectedInputObject {
                path: path.to_owned(),
                expected: operator_object_name(field.kind).to_owned(),
            }),
        }
    }

    fn relationship(
        &self,
        relationship: &'static RelationshipDef,
        suffix: Option<&str>,
        value: &Json,
        path: &str,
        key: &str,
    ) -> Result<Option<Filter>, CompileError> {
        let target = TypeDef::target(relationship);
        let allowed = relationship_suffixes(relationship.cardinality, self.syntax);
        if let Some(suffix) = suffix {
            if !allowed.contains(&suffix) {
                return Err(CompileError::UnknownField {
                    type_name: String::new(),
                    field: key.to_owned(),
                });
            }
        }
        if relationship.cardinality == Cardinality::One && suffix.is_none() && value.is_null() {
            return Ok(Some(related(relationship, Quantifier::None, None)));
        }
        let quantifier = match (relationship.cardinality, self.syntax, suffix) {
            // The current dialect's `r: {some, none, all, single}` object.
            (Cardinality::Many, QueryDialect::Current, None) => {
                return self.quantifier_object(relationship, target, value, path);
            }
            (Cardinality::Many, _, None | Some("SOME")) => Quantifier::Some,
            (Cardinality::Many, _, Some("NONE" | "NOT")) => Quantifier::None,
            (Cardinality::Many, _, Some("ALL")) => Quantifier::All,
            (Cardinality::Many, _, Some(_)) => Quantifier::Single,
            // Single relationships: legacy `t: W` is "exactly one related row matches"
            // (`single()`), current `t: W` is "at least one"; `t_NOT` negates the legacy form.
            (Cardinality::One, QueryDialect::Legacy, None) => Quantifier::Single,
            (Cardinality::One, QueryDialect::Current, _) => Quantifier::Some,
            (Cardinality::One, QueryDialect::Legacy, Some(_)) => {
                return Ok(match value {
                    Json::Null => Some(related(relationship, Quantifier::Some, None)),
                    _ => self
                        .quantified(relationship, target, Quantifier::Single, value, path)?
                        .map(|f| Filter::Not(Box::new(f))),
                });
            }
        };
        self.quantified(relationship, target, quantifier, value, path)
    }

    fn quantifier_object(
        &self,
        relationship: &'static RelationshipDef,
        target: &'static TypeDef,
        value: &Json,
        path: &str,
    ) -> Result<Option<Filter>, CompileError> {
        let object = match value {
            Json::Null => return Ok(Some(related(relationship, Quantifier::None, None))),
            Json::Object(object) => object,
            _ => {
                return Err(CompileError::ExpectedInputObject {
                    path: path.to_owned(),
                    expected: format!("{}RelationshipFilters", target.name),
                })
            }
        };
        let mut parts = Vec::new();
        for (key, inner) in object {
            let quantifier = match key.as_str() {
                "some" => Quantifier::Some,
                "none" => Quantifier::None,
                "all" => Quantifier::All,
                "single" => Quantifier::Single,
                other => {
                    return Err(CompileError::BadFilter {
                        path: path.to_owned(),
                        reason: format!("unknown relationship quantifier {other:?}"),
                    })
                }
            };
            if let Some(part) = self.quantified(
                relationship,
                target,
                quantifier,
                inner,
                &format!("{path}.{key}"),
            )? {
                parts.push(part);
            }
        }
        Ok(and(parts))
    }

    /// One quantifier over a where-input of the related type, with the library's rules for
    /// `null`, `{}` and inputs whose content vanished.
    fn quantified(
        &self,
        relationship: &'static RelationshipDef,
        target: &'static TypeDef,
        quantifier: Quantifier,
        value: &Json,
        path: &str,
    ) -> Result<Option<Filter>, CompileError> {
        match value {
            Json::Null => match quantifier {
                Quantifier::Some => Ok(Some(related(relationship, Quantifier::None, None))),
                Quantifier::None => Ok(Some(related(relationship, Quantifier::Some, None))),
                Quantifier::All | Quantifier::Single => Err(CompileError::BadFilter {
                    path: path.to_owned(),
                    reason: "null is ambiguous for ALL/SINGLE; use NONE: {} or SOME: null to test for related rows".to_owned(),
                }),
            },
            Json::Object(object) if object.is_empty() => Ok(None),
            _ => {
                let inner = self.object(target, value, path)?;
                Ok(match (inner, quantifier) {
                    (None, Quantifier::All) => None,
                    (inner, quantifier) => Some(Filter::Related {
                        relationship,
                        quantifier,
                        inner: inner.map(Box::new),
                    }),
                })
            }
        }
    }
}

fn related(
    relationship: &'static RelationshipDef,
    quantifier: Quantifier,
    inner: Option<Filter>,
) -> Filter {
    Filter::Related {
        relationship,
        quantifier,
        inner: inner.map(Box::new),
    }
}

/// Splits `key` into a field or relationship name of `ty` and an optional suffix operator.
fn split_key<'k>(ty: &TypeDef, key: &'k str) -> Option<(&'k str, Option<&'k str>)> {
    let known = |name: &str| ty.field(name).is_some() || ty.relationship(name).is_some();
    if known(key) {
        return Some((key, None));
    }
    SUFFIXES.iter().find_map(|suffix| {
        let name = key.strip_suffix(suffix)?.strip_suffix('_')?;
        known(name).then(|| (name, Some(&key[key.len() - suffix.len()..])))
    })
}

/// One comparison; `null` tests for NULL whatever the operator (the library's rule).
fn comparison(
    field: &'static FieldDef,
    op: ScalarOp,
    negated: bool,
    value: &Json,
    path: &str,
) -> Result<Option<Filter>, CompileError> {
    let filter = if value.is_null() {
        Filter::IsNull { field, negated }
    } else if op == ScalarOp::In {
        let items = value.as_array().ok_or_else(|| CompileError::BadFilter {
            path: path.to_owned(),
            reason: "expected a list".to_owned(),
        })?;
        if items.is_empty() {
            Filter::Const(false)
        } else {
            let values = items
                .iter()
                .map(|item| scalar_value(field, field.kind, item, path))
                .collect::<Result<Vec<_>, _>>()?;
            Filter::Compare { field, op, values }
        }
    } else {
        let kind = match (field.kind, op) {
            (ScalarKind::StringList, ScalarOp::Includes) => ScalarKind::String,
            (kind, _) => kind,
        };
        if op == ScalarOp::Matches {
            crate::pattern::validate(value, path)?;
        }
        Filter::Compare {
            field,
            op,
            values: vec![scalar_value(field, kind, value, path)?],
        }
    };
    Ok(Some(
        if negated && !matches!(filter, Filter::IsNull { .. }) {
            Filter::Not(Box::new(filter))
        } else {
            filter
        },
    ))
}

fn scalar_value(
    field: &FieldDef,
    kind: ScalarKind,
    value: &Json,
    path: &str,
) -> Result<Value, CompileError> {
    let bad = |expected: &str| CompileError::BadFilter {
        path: path.to_owned(),
        reason: format!("{} expects {expected}, got {value}", field.name),
    };
    match kind {
        ScalarKind::Id | ScalarKind::String => match value {
            Json::String(s) => Ok(Value::Text(Some(s.clone()))),
            Json::Null => Ok(Value::Text(None)),
            _ => Err(bad("a string")),
        },
        ScalarKind::Boolean => match value {
            Json::Bool(b) => Ok(Value::Bool(Some(*b))),
            Json::Null => Ok(Value::Bool(None)),
            _ => Err(bad("a boolean")),
        },
        ScalarKind::Int => match value {
            // GraphQL's Int is 32 bits; a larger number is refused rather than compared.
            Json::Number(n) => n
                .as_i64()
                .and_then(|i| i32::try_from(i).ok())
                .map(|i| Value::Int(Some(i64::from(i))))
                .ok_or_else(|| bad("a 32-bit integer")),
            Json::Null => Ok(Value::Int(None)),
            _ => Err(bad("an integer")),
        },
        ScalarKind::DateTime => match value {
            Json::String(s) => DateTime::parse_from_rfc3339(s)
                .map(|t| Value::Timestamp(Some(t.with_timezone(&Utc))))
                .map_err(|_| bad("an RFC 3339 date-time such as 2024-01-31T12:00:00Z")),
            Json::Null => Ok(Value::Timestamp(None)),
            _ => Err(bad("an RFC 3339 date-time string")),
        },
        ScalarKind::StringList => match value {
            Json::Array(items) => items
                .iter()
                .map(|i| i.as_str().map(str::to_owned))
                .collect::<Option<Vec<_>>>()
                .map(|l| Value::TextList(Some(l)))
                .ok_or_else(|| bad("a list of strings")),
            _ => Err(bad("a list of strings")),
        },
    }
}
