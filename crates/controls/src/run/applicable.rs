//! Counting the assets a control applies to, once per distinct applicable query.

use assetql_graphql::{GraphQLRequest, RequestContext};
use assetql_store::ControlRun;
use async_graphql::Value;

use super::Runner;
use crate::catalogue::Control;

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
        memo: &mut ApplicableMemo,
    ) {
        let Some(query) = control.applicable_query() else {
            return;
        };
        if memo.query.as_deref() != Some(query.as_str()) {
            memo.assets = self.applicable_assets(control, &query, context).await;
            memo.query = Some(query);
        }
        let Some(assets) = &memo.assets else {
            return;
        };
        let mut by_account: std::collections::BTreeMap<String, i64> = Default::default();
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

    /// The identifiers `control` applies to now, for `tenant`: `None` when it has no applicable
    /// query or that query fails.
    pub async fn applicable_identifiers(
        &self,
        tenant: &assetql_model::TenantId,
        control: &Control,
    ) -> Option<Vec<String>> {
        let query = control.applicable_query()?;
        let assets = self
            .applicable_assets(control, &query, self.context(tenant))
            .await?;
        let mut ids: Vec<String> = assets.into_keys().collect();
        ids.sort_unstable();
        Some(ids)
    }

    /// Identifier -> account of the assets `query` returns; `None` when it fails.
    async fn applicable_assets(
        &self,
        control: &Control,
        query: &str,
        context: RequestContext,
    ) -> Option<std::collections::HashMap<String, String>> {
        let request = GraphQLRequest {
            query: query.to_owned(),
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
        let mut assets = std::collections::HashMap::new();
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

/// The applicable assets of the last applicable query run (identifier -> account), kept while
/// the next control has the same query. `assets` is `None` when that query failed.
#[derive(Default)]
pub(super) struct ApplicableMemo {
    query: Option<String>,
    assets: Option<std::collections::HashMap<String, String>>,
}

/// The AWS account of an ARN (its fifth field), or `unknown`.
pub(super) fn account_of(arn: &str) -> String {
    arn.split(':')
        .nth(4)
        .filter(|a| !a.is_empty())
        .unwrap_or("unknown")
        .to_owned()
}
