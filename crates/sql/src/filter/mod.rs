//! Where-inputs of both Neo4j GraphQL dialects parsed into a filter IR with the library's exact
//! semantics (see `docs/architecture.md`, "Filter semantics"): keys of one object are ANDed,
//! empty filters vanish (`None` is the identity of AND and OR, `NOT None = None`), any operator
//! given `null` tests for NULL, and relationship quantifiers become correlated EXISTS.

mod grammar;
mod simplify;

pub use grammar::{
    operator_keys, operator_object_name, parse_where, relationship_suffixes, scalar_suffixes,
};
pub use simplify::simplify;

use assetql_model::catalogue::{FieldDef, RelationshipDef};

use crate::value::Value;

/// Which where-input grammar a request uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum QueryDialect {
    /// Neo4j GraphQL 3.16–5.x: implicit equality, suffix operators including the `_NOT` family,
    /// `t`/`t_NOT` on single relationships with "exactly one" semantics.
    Legacy,
    /// Neo4j GraphQL 7.x: operator objects (`{eq: …}`), `r: {some none all single}`, the
    /// still-accepted suffix operators except the `_NOT` family; `t: {…}` means "at least one".
    Current,
}

/// A comparison applied to one scalar field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScalarOp {
    /// `=` (whole-list equality for lists).
    Eq,
    /// `IN (…)`.
    In,
    /// Case-sensitive substring.
    Contains,
    /// Case-sensitive prefix.
    StartsWith,
    /// Case-sensitive suffix.
    EndsWith,
    /// Whole-string regular expression.
    Matches,
    /// `<`.
    Lt,
    /// `<=`.
    Lte,
    /// `>`.
    Gt,
    /// `>=`.
    Gte,
    /// List contains the value.
    Includes,
}

/// How a relationship filter quantifies over related rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quantifier {
    /// At least one related row matches (EXISTS).
    Some,
    /// No related row matches (NOT EXISTS).
    None,
    /// At least one matches and none fails to (false on an empty set).
    All,
    /// Exactly one related row matches.
    Single,
}

/// The filter IR: what a where-input means, independent of syntax and dialect.
#[derive(Debug, Clone, PartialEq)]
pub enum Filter {
    /// All must hold.
    And(Vec<Filter>),
    /// At least one must hold.
    Or(Vec<Filter>),
    /// Negation (three-valued: NULL stays NULL).
    Not(Box<Filter>),
    /// A constant (e.g. `_IN: []` is false).
    Const(bool),
    /// `field IS NULL` (or `IS NOT NULL`).
    IsNull {
        /// The field.
        field: &'static FieldDef,
        /// `IS NOT NULL` when true.
        negated: bool,
    },
    /// A comparison with bound values.
    Compare {
        /// The field.
        field: &'static FieldDef,
        /// The operator.
        op: ScalarOp,
        /// One value, or several for `In`.
        values: Vec<Value>,
    },
    /// A quantified relationship filter; `inner: None` quantifies over all related rows.
    Related {
        /// The relationship.
        relationship: &'static RelationshipDef,
        /// The quantifier.
        quantifier: Quantifier,
        /// The filter on related rows.
        inner: Option<Box<Filter>>,
    },
}

/// Counts the nodes of a filter, for complexity limits.
pub fn filter_size(filter: &Filter) -> usize {
    match filter {
        Filter::And(items) | Filter::Or(items) => 1 + items.iter().map(filter_size).sum::<usize>(),
        Filter::Not(inner) => 1 + filter_size(inner),
        Filter::Related { inner, .. } => 1 + inner.as_deref().map_or(0, filter_size),
        Filter::Compare { values, .. } => 1 + values.len(),
        Filter::Const(_) | Filter::IsNull { .. } => 1,
    }
}

pub(crate) fn and(items: Vec<Filter>) -> Option<Filter> {
    match items.len() {
        0 => None,
        1 => items.into_iter().next(),
        _ => Some(Filter::And(items)),
    }
}
