//! The stored controls spread `...AssetFragment` without defining it; the server supplies it.

use std::sync::OnceLock;

use async_graphql::parser::types::{
    ExecutableDocument, FragmentDefinition, Selection, SelectionSet,
};
use async_graphql::parser::Positioned;
use async_graphql::Name;

/// The definition appended to documents that spread `AssetFragment` without defining it.
pub const ASSET_FRAGMENT: &str = "fragment AssetFragment on Asset { identifier accountID \
    cloudAccountID cloudAccountName cloudProvider idFromProvider internalAssetType internalName \
    internalRegion assetCategory contentHash }";

fn spreads(set: &SelectionSet, name: &str) -> bool {
    set.items.iter().any(|item| match &item.node {
        Selection::Field(field) => spreads(&field.node.selection_set.node, name),
        Selection::FragmentSpread(spread) => spread.node.fragment_name.node.as_str() == name,
        Selection::InlineFragment(inline) => spreads(&inline.node.selection_set.node, name),
    })
}

fn uses_undefined_asset_fragment(document: &ExecutableDocument) -> bool {
    if document
        .fragments
        .keys()
        .any(|n| n.as_str() == "AssetFragment")
    {
        return false;
    }
    document
        .operations
        .iter()
        .any(|(_, op)| spreads(&op.node.selection_set.node, "AssetFragment"))
        || document
            .fragments
            .values()
            .any(|f| spreads(&f.node.selection_set.node, "AssetFragment"))
}

/// [`ASSET_FRAGMENT`], parsed once.
fn parsed_asset_fragment() -> Option<&'static (Name, Positioned<FragmentDefinition>)> {
    static PARSED: OnceLock<Option<(Name, Positioned<FragmentDefinition>)>> = OnceLock::new();
    PARSED
        .get_or_init(|| {
            // A document needs an operation to parse.
            async_graphql::parser::parse_query(format!("{{ __typename }}\n{ASSET_FRAGMENT}"))
                .ok()
                .and_then(|document| document.fragments.into_iter().next())
        })
        .as_ref()
}

/// Adds the [`ASSET_FRAGMENT`] definition to a parsed `document` that spreads `AssetFragment`
/// without defining it, so that the document is parsed once. The added definition keeps the
/// positions of the fragment parsed on its own; no error can point into it, since its fields
/// exist on `Asset` in both dialects (a misplaced spread is reported at the spread).
pub(crate) fn add_asset_fragment(document: &mut ExecutableDocument) {
    if uses_undefined_asset_fragment(document) {
        if let Some((name, definition)) = parsed_asset_fragment() {
            document.fragments.insert(name.clone(), definition.clone());
        }
    }
}

/// `query` with [`ASSET_FRAGMENT`] appended when it spreads `AssetFragment` without defining it;
/// otherwise (including unparsable documents, whose errors the executor reports) unchanged.
pub fn with_asset_fragment(query: &str) -> String {
    if !query.contains("AssetFragment") {
        return query.to_owned();
    }
    match async_graphql::parser::parse_query(query) {
        Ok(document) if uses_undefined_asset_fragment(&document) => {
            format!("{query}\n{ASSET_FRAGMENT}\n")
        }
        _ => query.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fragment_is_added_only_when_spread_and_undefined() {
        let spread = "{ ecsClusters { ...AssetFragment } }";
        assert!(with_asset_fragment(spread).ends_with(&format!("{ASSET_FRAGMENT}\n")));
        let defined = format!("{spread} fragment AssetFragment on Asset {{ identifier }}");
        assert_eq!(with_asset_fragment(&defined), defined);
        let comment_only = "# AssetFragment\n{ ecsClusters { arn } }";
        assert_eq!(with_asset_fragment(comment_only), comment_only);
    }

    #[test]
    fn a_parsed_document_gets_the_definition_only_when_spread_and_undefined() {
        let fields = |document: &ExecutableDocument| {
            document
                .fragments
                .get("AssetFragment")
                .map(|f| f.node.selection_set.node.items.len())
        };
        let mut spread = async_graphql::parser::parse_query("{ ecsClusters { ...AssetFragment } }")
            .expect("parses");
        add_asset_fragment(&mut spread);
        assert_eq!(fields(&spread), Some(11));
        let mut defined = async_graphql::parser::parse_query(
            "{ ecsClusters { ...AssetFragment } } fragment AssetFragment on Asset { identifier }",
        )
        .expect("parses");
        add_asset_fragment(&mut defined);
        assert_eq!(fields(&defined), Some(1));
        let mut unused =
            async_graphql::parser::parse_query("{ ecsClusters { arn } }").expect("parses");
        add_asset_fragment(&mut unused);
        assert_eq!(fields(&unused), None);
    }
}
