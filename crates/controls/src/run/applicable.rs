//! Counting the assets a control applies to, once per distinct applicable query.

use std::collections::{BTreeMap, HashMap};

use assetql_graphql::{GraphQLRequest, RequestContext};
use assetql_store::ControlRun;
use async_graphql::parser::types::{DocumentOperations, Selection};
use async_graphql::Value;

use super::Runner;
use crate::catalogue::Control;

/// The variable the public catalogue's applicable queries receive the reported identifiers in.
const FAILED_ASSETS: &str = "failedAssetsIdentifiers";

/// The one root field of a query and its `where` argument (JSON), when the query is exactly
/// that: one operation, one root field, no argument but `where`, no variable in it.
fn root_field(query: &str) -> Option<(String, Option<serde_json::Value>)> {
    let document = async_graphql::parser::parse_query(query).ok()?;
    let DocumentOperations::Single(operation) = &document.operations else {
        return None;
    };
    let [item] = operation.node.selection_set.node.items.as_slice() else {
        return None;
    };
    let Selection::Field(field) = &item.node else {
        return None;
    };
    let mut filter = None;
    for (name, value) in &field.node.arguments {
        if name.node.as_str() != "where" {
            return None;
        }
        filter = Some(value.node.clone().into_const()?.into_json().ok()?);
    }
    Some((field.node.name.node.to_string(), filter))
}

/// Whether every asset `control` can report is one its applicable query returns, by the
/// queries' shape: the same root field, and the applicable `where` is part of the control's
/// (each of its keys with the same value; a `where` object's keys all hold). Then counting the
/// applicable assets is enough; otherwise they are listed and reported assets added.
fn findings_within(control: &str, applicable: &str) -> Option<(String, Option<serde_json::Value>)> {
    let (root, control_filter) = root_field(control)?;
    let (applicable_root, applicable_filter) = root_field(applicable)?;
    if root != applicable_root {
        return None;
    }
    match (&applicable_filter, &control_filter) {
        (None, _) => {}
        (Some(serde_json::Value::Object(wanted)), Some(serde_json::Value::Object(all))) => {
            if !wanted.iter().all(|(k, v)| all.get(k) == Some(v)) {
                return None;
            }
        }
        _ => return None,
    }
    Some((applicable_root, applicable_filter))
}

impl Runner {
    /// Counts the assets `control` applies to (overall and per account) with its applicable
    /// query. Every reported asset counts as applicable even when that query misses it, so a
    /// compliance figure is never above what the findings allow. A failing applicable query
    /// leaves the count unknown (`None`), never zero.
    pub(super) async fn count_applicable(
        &self,
        control: &Control,
        run: &mut ControlRun,
        context: RequestContext,
        memo: &ApplicableMemo,
    ) {
        let Some(query) = control.applicable_query() else {
            return;
        };
        if let Some((root, filter)) = findings_within(&control.query, &query) {
            // Every reported asset is applicable: one GROUP BY count, shared by the controls
            // with this applicable query.
            let counts = {
                let mut cache = memo.counts.lock().await;
                match cache.get(&query) {
                    Some(counts) => counts.clone(),
                    None => {
                        let counts = self
                            .engine
                            .count_by_account(&root, filter.as_ref(), &context)
                            .await
                            .map_err(|e| tracing::warn!(control = %control.id, error = %e, "the applicable-assets count failed; it is unknown"))
                            .ok();
                        cache.insert(query.clone(), counts.clone());
                        counts
                    }
                }
            };
            if let Some(counts) = counts {
                run.applicable = Some(counts.values().sum());
                run.applicable_by_account = counts;
            }
            return;
        }
        let reported: Vec<String> = run
            .findings
            .iter()
            .map(|f| f.asset_identifier.clone())
            .collect();
        let Some(assets) = self
            .applicable_assets(control, &query, context, &reported)
            .await
        else {
            return;
        };
        let mut by_account: BTreeMap<String, i64> = Default::default();
        for account in assets.values() {
            *by_account.entry(account.clone()).or_insert(0) += 1;
        }
        let mut applicable = assets.len();
        for finding in &run.findings {
            if !assets.contains_key(&finding.asset_identifier) {
                applicable += 1;
                *by_account
                    .entry(account_of(&finding.asset_identifier))
                    .or_insert(0) += 1;
            }
        }
        run.applicable = Some(i64::try_from(applicable).unwrap_or(i64::MAX));
        run.applicable_by_account = by_account;
    }

    /// The identifiers `control` applies to now, for `tenant`, given the identifiers its
    /// latest run reported (`$failedAssetsIdentifiers`): `None` when it has no applicable query
    /// or that query fails.
    pub async fn applicable_identifiers(
        &self,
        tenant: &assetql_model::TenantId,
        control: &Control,
        reported: &[String],
    ) -> Option<Vec<String>> {
        let query = control.applicable_query()?;
        let assets = self
            .applicable_assets(control, &query, self.context(tenant), reported)
            .await?;
        let mut ids: Vec<String> = assets.into_keys().collect();
        ids.sort_unstable();
        Some(ids)
    }

    /// Identifier -> account of the assets `query` returns; `None` when it fails. The public
    /// catalogue's applicable queries may use `$failedAssetsIdentifiers` (bound to `reported`)
    /// and spread `...AssetFragment` without defining it.
    async fn applicable_assets(
        &self,
        control: &Control,
        query: &str,
        context: RequestContext,
        reported: &[String],
    ) -> Option<HashMap<String, String>> {
        let mut text = query.to_owned();
        if text.contains("...AssetFragment") && !text.contains("fragment AssetFragment") {
            text.push_str("\nfragment AssetFragment on Asset { identifier cloudAccountID }");
        }
        let variables = query
            .contains("$failedAssetsIdentifiers")
            .then(|| serde_json::json!({ FAILED_ASSETS: reported }));
        let request = GraphQLRequest {
            query: text,
            variables,
            ..GraphQLRequest::default()
        };
        let (_, response) = self.engine.execute(request, None, context).await;
        if !response.errors.is_empty() {
            tracing::warn!(control = %control.id, errors = ?response.errors, "the applicable-assets query failed; the count is unknown");
            return None;
        }
        let Value::Object(fields) = &response.data else {
            return None;
        };
        let mut assets = HashMap::new();
        for value in fields.values() {
            let Value::List(items) = value else {
                tracing::warn!(control = %control.id, "the applicable-assets query does not return lists");
                return None;
            };
            for item in items {
                let Value::Object(asset) = item else { continue };
                let text = |key: &str| match asset.get(key) {
                    Some(Value::String(s)) => Some(s.clone()),
                    _ => None,
                };
                if let Some(identifier) = text("identifier") {
                    let account = text("cloudAccountID").unwrap_or_else(|| account_of(&identifier));
                    assets.insert(identifier, account);
                }
            }
        }
        Some(assets)
    }
}

/// Applicable counts per applicable query (`None`: that count failed), shared by the controls
/// of one run.
#[derive(Default)]
pub(super) struct ApplicableMemo {
    counts: tokio::sync::Mutex<HashMap<String, Option<BTreeMap<String, i64>>>>,
}

/// The AWS account of an ARN (its fifth field), or `unknown`.
pub(super) fn account_of(arn: &str) -> String {
    arn.split(':')
        .nth(4)
        .filter(|a| !a.is_empty())
        .unwrap_or("unknown")
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_control_within_its_applicable_query_is_counted() {
        let applicable = "{ ecsTaskDefinitions(where: {latestActiveRevision: {eq: true}}) { identifier cloudAccountID } }";
        let control = "{ ecsTaskDefinitions(where: {latestActiveRevision: {eq: true}, pidMode: {eq: \"host\"}}) {...AssetFragment} }";
        let (root, filter) = findings_within(control, applicable).expect("within");
        assert_eq!(root, "ecsTaskDefinitions");
        assert_eq!(
            filter,
            Some(serde_json::json!({"latestActiveRevision": {"eq": true}}))
        );
        // No filter: every asset of the field.
        assert!(findings_within(control, "{ ecsTaskDefinitions { identifier } }").is_some());
    }

    #[test]
    fn anything_else_lists_the_applicable_assets() {
        let applicable =
            "{ ecsTaskDefinitions(where: {latestActiveRevision: {eq: true}}) { identifier } }";
        for control in [
            // Not restricted to the latest revision: may report assets the query does not return.
            "{ ecsTaskDefinitions(where: {pidMode: {eq: \"host\"}}) { identifier } }",
            "{ ecsTaskDefinitions(where: {latestActiveRevision: {eq: false}}) { identifier } }",
            "{ ecsServices { identifier } }",
            "{ a: ecsTaskDefinitions(where: {latestActiveRevision: {eq: true}}) { identifier } b: ecsServices { identifier } }",
            "query($x: Boolean) { ecsTaskDefinitions(where: {latestActiveRevision: {eq: $x}}) { identifier } }",
            "{ ecsTaskDefinitions(where: {latestActiveRevision: {eq: true}}, limit: 5) { identifier } }",
            "not graphql",
        ] {
            assert!(findings_within(control, applicable).is_none(), "{control}");
        }
    }
}
