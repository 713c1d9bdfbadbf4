//! The fragment graph of a parsed document: chains, cycles, size and depth with every spread
//! expanded, walked without recursion.

use assetql_model::ErrorCode;
use async_graphql::Error;

use super::{as_u64, Limits};
use crate::error::{coded, limit_error};

/// Refuses a document whose fragment spreads chain deeper than `max_fragment_depth`
/// (`FRAGMENTS_TOO_DEEP`), spread each other (a cycle, `GRAPHQL_VALIDATION_FAILED`), that has
/// more than `max_selections` selections once every spread is replaced by its fragment
/// (`TOO_MANY_SELECTIONS`), or whose fields nest deeper than `max_depth` with fragments
/// expanded (`QUERY_TOO_DEEP`; selection sets, inline fragments and spreads included, at most
/// twice that). Runs before anything else follows a fragment spread: it walks the fragment
/// graph with an explicit stack, and the selection sets within one definition nest at most
/// [`super::MAX_NESTING`] deep (checked on the text), so no walk after it can recurse without
/// bound or meet a cycle, and its cost is linear in the document's size.
pub(super) fn check_fragments(
    document: &async_graphql::parser::types::ExecutableDocument,
    limits: &Limits,
) -> Result<(), Error> {
    use async_graphql::parser::types::{Selection, SelectionSet};
    use std::collections::{HashMap, HashSet};

    /// How deep a definition nests: fields, and selection sets of any kind (async-graphql's
    /// executor refuses more than 32 of those).
    #[derive(Clone, Copy, Default)]
    struct Depth {
        fields: u64,
        sets: u64,
    }
    impl Depth {
        fn max(self, other: Depth) -> Depth {
            Depth {
                fields: self.fields.max(other.fields),
                sets: self.sets.max(other.sets),
            }
        }
        fn plus(self, other: Depth) -> Depth {
            Depth {
                fields: self.fields.saturating_add(other.fields),
                sets: self.sets.saturating_add(other.sets),
            }
        }
    }
    /// Expanded size and depth of a fragment.
    #[derive(Clone, Copy)]
    struct Expanded {
        selections: u64,
        depth: Depth,
    }
    /// Selections of one definition (spreads counted, not followed), its own depth, and the
    /// fragments it spreads with the depth each spread sits at.
    struct Definition<'a> {
        own: u64,
        depth: Depth,
        spreads: Vec<(&'a str, Depth)>,
    }
    fn collect<'a>(set: &'a SelectionSet, at: Depth, into: &mut Definition<'a>) {
        for item in &set.items {
            into.own += 1;
            match &item.node {
                Selection::Field(f) => {
                    let inner = at.plus(Depth {
                        fields: 1,
                        sets: u64::from(!f.node.selection_set.node.items.is_empty()),
                    });
                    into.depth = into.depth.max(inner);
                    collect(&f.node.selection_set.node, inner, into);
                }
                Selection::InlineFragment(i) => {
                    let inner = at.plus(Depth { fields: 0, sets: 1 });
                    into.depth = into.depth.max(inner);
                    collect(&i.node.selection_set.node, inner, into);
                }
                Selection::FragmentSpread(s) => {
                    let inner = at.plus(Depth { fields: 0, sets: 1 });
                    into.spreads
                        .push((s.node.fragment_name.node.as_str(), inner));
                }
            }
        }
    }
    fn definition(set: &SelectionSet) -> Definition<'_> {
        let mut d = Definition {
            own: 0,
            depth: Depth::default(),
            spreads: Vec::new(),
        };
        collect(set, Depth::default(), &mut d);
        d
    }
    /// A definition's size and depth with the spreads (already expanded) followed.
    fn expand(d: &Definition<'_>, expanded: &HashMap<&str, Expanded>) -> Expanded {
        d.spreads.iter().fold(
            Expanded {
                selections: d.own,
                depth: d.depth,
            },
            |sum, (child, at)| match expanded.get(child) {
                Some(c) => Expanded {
                    selections: sum.selections.saturating_add(c.selections),
                    depth: sum.depth.max(at.plus(c.depth)),
                },
                None => sum,
            },
        )
    }
    let fragments: HashMap<&str, Definition<'_>> = document
        .fragments
        .iter()
        .map(|(name, f)| (name.as_str(), definition(&f.node.selection_set.node)))
        .collect();
    let too_deep = || {
        limit_error(
            format!(
                "fragment spreads chain more than {} deep",
                limits.max_fragment_depth
            ),
            ErrorCode::FragmentsTooDeep,
            as_u64(limits.max_fragment_depth),
        )
    };
    // Each fragment with its spreads expanded, computed children first with an explicit stack
    // (a chain of 10,000 fragments overflowed recursive walks).
    let mut expanded: HashMap<&str, Expanded> = HashMap::with_capacity(fragments.len());
    let mut names: Vec<&str> = fragments.keys().copied().collect();
    names.sort_unstable();
    for root in names {
        if expanded.contains_key(root) {
            continue;
        }
        let mut on_path: HashSet<&str> = HashSet::from([root]);
        let mut stack: Vec<(&str, usize)> = vec![(root, 0)];
        while let Some((name, next)) = stack.last_mut() {
            let current = &fragments[*name];
            if let Some((child, _)) = current.spreads.get(*next).copied() {
                *next += 1;
                if expanded.contains_key(child) || !fragments.contains_key(child) {
                    continue;
                }
                if on_path.contains(child) {
                    return Err(coded(
                        format!("fragment \"{child}\" spreads itself through its own selections"),
                        ErrorCode::GraphqlValidationFailed,
                    ));
                }
                if stack.len() >= limits.max_fragment_depth {
                    return Err(too_deep());
                }
                on_path.insert(child);
                stack.push((child, 0));
            } else {
                let name = *name;
                expanded.insert(name, expand(current, &expanded));
                on_path.remove(name);
                stack.pop();
            }
        }
    }
    let operations = document
        .operations
        .iter()
        .map(|(_, op)| expand(&definition(&op.node.selection_set.node), &expanded));
    let (mut selections, mut depth) = (0u64, Depth::default());
    for operation in operations {
        selections = selections.saturating_add(operation.selections);
        depth = depth.max(operation.depth);
    }
    let selections = expanded
        .values()
        .map(|e| e.selections)
        .fold(selections, u64::max);
    if selections > as_u64(limits.max_selections) {
        return Err(limit_error(
            format!(
                "the document has {selections} selections with its fragments expanded; the limit \
                 is {}",
                limits.max_selections
            ),
            ErrorCode::TooManySelections,
            as_u64(limits.max_selections),
        ));
    }
    let max_depth = as_u64(limits.max_depth);
    if depth.fields > max_depth || depth.sets > max_depth.saturating_mul(2).min(RECURSION_LIMIT) {
        return Err(limit_error(
            format!(
                "fields nest {} deep (selection sets {}) with fragments expanded; the limit is {}",
                depth.fields, depth.sets, limits.max_depth
            ),
            ErrorCode::QueryTooDeep,
            max_depth,
        ));
    }
    Ok(())
}

/// async-graphql's own limit on nested selection sets (its executor's `limit_recursive_depth`
/// default), below which [`check_fragments`] keeps every document.
const RECURSION_LIMIT: u64 = 32;
