//! Rewrites of the filter IR into equivalent filters the databases plan better.

use super::{Filter, Quantifier};

/// Rewrites a filter into an equivalent one that the databases plan better, under SQL's
/// three-valued logic (EXISTS is never NULL):
/// - `NOT NOT x` is `x`; `NOT` of a constant is the other constant; `NOT` of a `SOME` is a
///   `NONE` and the reverse (so `NOT: {task: null}` becomes a plain EXISTS, which PostgreSQL
///   turns into a semi-join; `NOT (NOT EXISTS ...)` it runs as a subplan);
/// - nested `AND`s (and `OR`s) are flattened, and one-item lists unwrapped;
/// - `SOME`s on the same relationship joined by `OR` become one `SOME` of the `OR` of their
///   filters, and `NONE`s joined by `AND` one `NONE` of the `OR` (one EXISTS instead of several).
pub fn simplify(filter: Filter) -> Filter {
    match filter {
        Filter::Not(inner) => match simplify(*inner) {
            Filter::Not(x) => *x,
            Filter::Const(b) => Filter::Const(!b),
            Filter::Related {
                relationship,
                quantifier: quantifier @ (Quantifier::Some | Quantifier::None),
                inner,
            } => Filter::Related {
                relationship,
                quantifier: if quantifier == Quantifier::Some {
                    Quantifier::None
                } else {
                    Quantifier::Some
                },
                inner,
            },
            other => Filter::Not(Box::new(other)),
        },
        Filter::And(items) => junction(items, true),
        Filter::Or(items) => junction(items, false),
        Filter::Related {
            relationship,
            quantifier,
            inner,
        } => Filter::Related {
            relationship,
            quantifier,
            inner: inner.map(|f| Box::new(simplify(*f))),
        },
        leaf => leaf,
    }
}

/// Simplifies an `AND` (`conjunction`) or `OR` list: flattens, then merges the quantified
/// filters that one EXISTS can test (`SOME`s under `OR`, `NONE`s under `AND`).
fn junction(items: Vec<Filter>, conjunction: bool) -> Filter {
    let mergeable = if conjunction {
        Quantifier::None
    } else {
        Quantifier::Some
    };
    let mut out: Vec<Filter> = Vec::with_capacity(items.len());
    for item in items.into_iter().map(simplify) {
        let nested = match item {
            Filter::And(nested) if conjunction => nested,
            Filter::Or(nested) if !conjunction => nested,
            other => vec![other],
        };
        for item in nested {
            if let Filter::Related {
                relationship,
                quantifier,
                inner,
            } = &item
            {
                if *quantifier == mergeable {
                    let same = out.iter_mut().find(|f| {
                        matches!(f, Filter::Related { relationship: r, quantifier: q, .. }
                            if r.name == relationship.name && *q == mergeable)
                    });
                    if let Some(Filter::Related { inner: merged, .. }) = same {
                        *merged = match (merged.take(), inner) {
                            // No filter quantifies over every related row: it absorbs the other.
                            (None, _) | (_, None) => None,
                            (Some(a), Some(b)) => Some(Box::new(match *a {
                                Filter::Or(mut list) => {
                                    list.push((**b).clone());
                                    Filter::Or(list)
                                }
                                a => Filter::Or(vec![a, (**b).clone()]),
                            })),
                        };
                        continue;
                    }
                }
            }
            out.push(item);
        }
    }
    if out.len() <= 1 {
        // An empty AND holds, an empty OR does not.
        out.pop().unwrap_or(Filter::Const(conjunction))
    } else if conjunction {
        Filter::And(out)
    } else {
        Filter::Or(out)
    }
}
