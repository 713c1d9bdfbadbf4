//! Which answers may be kept by an answer cache keyed by the inventory's generation: those of
//! queries whose every root field is a function of the stored rows alone. Mutations change the
//! rows; `exceptions` reads the clock (an exception stops being active when it expires, with
//! no write), so neither is ever kept.

use async_graphql::parser::types::{
    DocumentOperations, ExecutableDocument, OperationType, Selection, SelectionSet,
};

/// Root fields whose answer changes with time alone.
const CLOCK_DEPENDENT: &[&str] = &["exceptions"];

/// True when the answer of `operation_name` in `query` (a document that has just run without
/// errors) depends only on the tenant's stored rows, so that it may be served again until the
/// tenant's generation changes. False for anything else, including documents that do not parse.
pub fn cacheable(query: &str, operation_name: Option<&str>) -> bool {
    let Ok(document) = async_graphql::parser::parse_query(query) else {
        return false;
    };
    let operation = match (&document.operations, operation_name) {
        (DocumentOperations::Single(op), _) => op,
        (DocumentOperations::Multiple(ops), Some(name)) => match ops.get(name) {
            Some(op) => op,
            None => return false,
        },
        (DocumentOperations::Multiple(_), None) => return false,
    };
    operation.node.ty == OperationType::Query
        && root_fields_are_stored(&document, &operation.node.selection_set.node, 0)
}

fn root_fields_are_stored(document: &ExecutableDocument, set: &SelectionSet, depth: usize) -> bool {
    // Validation refuses fragment cycles before a document runs; the bound is for safety.
    if depth > 32 {
        return false;
    }
    set.items.iter().all(|item| match &item.node {
        Selection::Field(field) => !CLOCK_DEPENDENT.contains(&field.node.name.node.as_str()),
        Selection::InlineFragment(fragment) => {
            root_fields_are_stored(document, &fragment.node.selection_set.node, depth + 1)
        }
        Selection::FragmentSpread(spread) => document
            .fragments
            .get(&spread.node.fragment_name.node)
            .is_some_and(|f| {
                root_fields_are_stored(document, &f.node.selection_set.node, depth + 1)
            }),
    })
}

#[cfg(test)]
mod tests {
    use super::cacheable;

    #[test]
    fn queries_of_stored_rows_are_cacheable_and_nothing_else() {
        assert!(cacheable("{ ecsClusters { arn } }", None));
        assert!(cacheable(
            "query Q { controls { id } compliance { percent } }",
            Some("Q")
        ));
        assert!(cacheable(
            "query A { ecsTasks { arn } } query B { ecsClusters { arn } }",
            Some("B")
        ));
        // The clock decides whether an exception is active.
        assert!(!cacheable("{ exceptions { id active } }", None));
        assert!(!cacheable(
            "{ ecsClusters { arn } ...F } fragment F on Query { exceptions { id } }",
            None
        ));
        assert!(!cacheable("{ ... on Query { exceptions { id } } }", None));
        assert!(!cacheable(
            "mutation { revokeControlException(id: 1) { id } }",
            None
        ));
        // Which operation is meant must be clear, and the document must parse.
        assert!(!cacheable(
            "query A { ecsTasks { arn } } query B { ecsClusters { arn } }",
            None
        ));
        assert!(!cacheable("{ ecsClusters { arn ", None));
        assert!(!cacheable("{ ...Missing }", None));
    }
}
