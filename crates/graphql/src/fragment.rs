//! The stored controls spread `...AssetFragment` without defining it; the server supplies it.

use async_graphql::parser::types::{ExecutableDocument, Selection, SelectionSet};

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
}
