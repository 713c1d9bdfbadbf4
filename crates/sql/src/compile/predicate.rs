//! A filter as a SQL condition: comparisons, quantifiers over relationships as correlated
//! `EXISTS` subqueries, and single relationships.

use assetql_model::catalogue::{FieldDef, FieldSource, RelationshipDef, TypeDef};

use crate::dialect::SqlDialect;
use crate::filter::{Filter, Quantifier, ScalarOp};
use crate::value::Value;

use super::writer::*;

impl Writer {
    pub(super) fn predicate(&mut self, ty: &'static TypeDef, alias: &str, filter: &Filter) {
        match filter {
            Filter::And(items) | Filter::Or(items) => {
                let joiner = if matches!(filter, Filter::And(_)) {
                    " AND "
                } else {
                    " OR "
                };
                self.push("(");
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        self.push(joiner);
                    }
                    self.predicate(ty, alias, item);
                }
                self.push(")");
            }
            Filter::Not(inner) => {
                self.push("(NOT ");
                self.predicate(ty, alias, inner);
                self.push(")");
            }
            Filter::Const(true) => self.push("(1 = 1)"),
            Filter::Const(false) => self.push("(1 = 0)"),
            Filter::IsNull { field, negated } => {
                let expr = field_sql(ty, alias, field);
                self.push_fmt(format_args!(
                    "({expr} IS {}NULL)",
                    if *negated { "NOT " } else { "" }
                ));
            }
            Filter::Compare { field, op, values } => self.comparison(ty, alias, field, *op, values),
            Filter::Related {
                relationship,
                quantifier,
                inner,
            } => self.related(alias, relationship, *quantifier, inner.as_deref()),
        }
    }

    pub(super) fn comparison(
        &mut self,
        ty: &'static TypeDef,
        alias: &str,
        field: &FieldDef,
        op: ScalarOp,
        values: &[Value],
    ) {
        let first = values.first().cloned().unwrap_or(Value::Text(None));
        let expr = match (op, field.source, ty.asset.and_then(|a| a.name_prefix)) {
            // `family:revision` starts with a prefix free of ':' exactly when `family` does.
            (ScalarOp::StartsWith, FieldSource::AssetName, Some((column, separator))) if matches!(&first, Value::Text(Some(prefix)) if !prefix.contains(separator)) =>
            {
                format!("{alias}.{column}")
            }
            _ => field_sql(ty, alias, field),
        };
        let postgres = self.dialect == SqlDialect::Postgres;
        match op {
            ScalarOp::Eq | ScalarOp::Lt | ScalarOp::Lte | ScalarOp::Gt | ScalarOp::Gte => {
                let symbol = match op {
                    ScalarOp::Eq => "=",
                    ScalarOp::Lt => "<",
                    ScalarOp::Lte => "<=",
                    ScalarOp::Gt => ">",
                    _ => ">=",
                };
                self.push_fmt(format_args!("({expr} {symbol} "));
                self.param(first);
                self.push(")");
            }
            ScalarOp::In => {
                self.push_fmt(format_args!("({expr} IN ("));
                for (i, value) in values.iter().enumerate() {
                    if i > 0 {
                        self.push(", ");
                    }
                    self.param(value.clone());
                }
                self.push("))");
            }
            ScalarOp::Contains | ScalarOp::StartsWith | ScalarOp::EndsWith if postgres => {
                let needle = escape_like(&text_of(&first));
                let pattern = match op {
                    ScalarOp::Contains => format!("%{needle}%"),
                    ScalarOp::StartsWith => format!("{needle}%"),
                    _ => format!("%{needle}"),
                };
                self.push_fmt(format_args!("({expr} LIKE "));
                self.param(Value::Text(Some(pattern)));
                self.push(" ESCAPE '\\')");
            }
            ScalarOp::Contains => {
                self.push_fmt(format_args!("(instr({expr}, "));
                self.param(first);
                self.push(") > 0)");
            }
            ScalarOp::StartsWith => {
                self.params.push(first);
                let n = self.params.len();
                self.push_fmt(format_args!("(substr({expr}, 1, length(${n})) = ${n})"));
            }
            ScalarOp::EndsWith => {
                self.params.push(first);
                let n = self.params.len();
                self.push_fmt(format_args!(
                    "(length({expr}) >= length(${n}) AND substr({expr}, length({expr}) - length(${n}) + 1) = ${n})"
                ));
            }
            ScalarOp::Matches => {
                let pattern = crate::pattern::anchor(&text_of(&first));
                let operator = if postgres { "~" } else { "REGEXP" };
                self.push_fmt(format_args!("({expr} {operator} "));
                self.param(Value::Text(Some(pattern)));
                self.push(")");
            }
            ScalarOp::Includes if postgres => {
                self.push("(");
                self.param(first);
                self.push_fmt(format_args!(" = ANY({expr}))"));
            }
            ScalarOp::Includes => {
                self.push_fmt(format_args!(
                    "(CASE WHEN {expr} IS NULL THEN NULL ELSE EXISTS (SELECT 1 FROM json_each({expr}) WHERE json_each.value = "
                ));
                self.param(first);
                self.push(") END)");
            }
        }
    }

    /// `EXISTS (SELECT 1 FROM target c WHERE join [AND inner])`.
    pub(super) fn exists(
        &mut self,
        parent: &str,
        relationship: &RelationshipDef,
        inner: Option<&Filter>,
        negate_inner: bool,
    ) {
        let target = TypeDef::target(relationship);
        let child = self.alias();
        // `some` of `some` (a container with an environment entry named X): one semi-join
        // over the joined rows. The nested form is the same set, but PostgreSQL plans it as
        // one probe per parent row (200,000 at L, 2.5x slower than hashing the join).
        if let (
            false,
            Some(Filter::Related {
                relationship: next,
                quantifier: Quantifier::Some,
                inner: next_inner,
            }),
        ) = (negate_inner, inner)
        {
            let next_target = TypeDef::target(next);
            let grandchild = self.alias();
            self.push_fmt(format_args!(
                "EXISTS (SELECT 1 FROM {} {child} JOIN {} {grandchild} ON {} WHERE {}",
                target.table,
                next_target.table,
                join_sql(next, &child, &grandchild),
                join_sql(relationship, parent, &child)
            ));
            if let Some(next_inner) = next_inner {
                self.push(" AND ");
                self.predicate(next_target, &grandchild, next_inner);
            }
            self.push(")");
            return;
        }
        self.push_fmt(format_args!(
            "EXISTS (SELECT 1 FROM {} {child} WHERE {}",
            target.table,
            join_sql(relationship, parent, &child)
        ));
        if let Some(inner) = inner {
            self.push(if negate_inner { " AND (NOT " } else { " AND " });
            self.predicate(target, &child, inner);
            if negate_inner {
                self.push(")");
            }
        }
        self.push(")");
    }

    pub(super) fn related(
        &mut self,
        parent: &str,
        relationship: &RelationshipDef,
        quantifier: Quantifier,
        inner: Option<&Filter>,
    ) {
        match quantifier {
            Quantifier::Some => self.exists(parent, relationship, inner, false),
            Quantifier::None => {
                self.push("(NOT ");
                self.exists(parent, relationship, inner, false);
                self.push(")");
            }
            Quantifier::All => {
                // At least one related row matches and none fails to: false on an empty set,
                // and rows whose predicate is NULL are neither witnesses nor violations.
                self.push("(");
                self.exists(parent, relationship, inner, false);
                self.push(" AND NOT ");
                self.exists(parent, relationship, inner, true);
                self.push(")");
            }
            Quantifier::Single => {
                let target = TypeDef::target(relationship);
                let child = self.alias();
                self.push_fmt(format_args!(
                    "((SELECT count(*) FROM (SELECT 1 FROM {} {child} WHERE {}",
                    target.table,
                    join_sql(relationship, parent, &child)
                ));
                if let Some(inner) = inner {
                    self.push(" AND ");
                    self.predicate(target, &child, inner);
                }
                self.push(" LIMIT 2) single_match) = 1)");
            }
        }
    }
}
