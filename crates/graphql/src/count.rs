//! Counting the assets of a root list field that match a `where` argument, per cloud account:
//! the same `where` compilation as the field itself, run as one `GROUP BY` statement. The
//! control runner counts a control's applicable assets with it instead of listing them.

use std::collections::BTreeMap;

use assetql_model::catalogue::asset_types;
use assetql_sql::{compile_count_by_account, QueryDialect};

use crate::context::RequestContext;
use crate::engine::Engine;
use crate::resolve::checked_filter;

impl Engine {
    /// How many assets of root list field `root_field` (e.g. `ecsTaskDefinitions`) match
    /// `filter` (its `where` argument as JSON, in either dialect), per `cloudAccountID`, for
    /// the context's tenant. Held to the engine's limits and query timeout; an error says why.
    pub async fn count_by_account(
        &self,
        root_field: &str,
        filter: Option<&serde_json::Value>,
        context: &RequestContext,
    ) -> Result<BTreeMap<String, i64>, String> {
        let ty = asset_types()
            .find(|t| t.asset.is_some_and(|a| a.root_field == root_field))
            .ok_or_else(|| format!("no root list field {root_field:?}"))?;
        let limits = &self.limits;
        // Either dialect, current first, as the engine runs documents.
        let filter = match filter {
            None => None,
            Some(json) => checked_filter(ty, QueryDialect::Current, json, limits)
                .or_else(|_| checked_filter(ty, QueryDialect::Legacy, json, limits))
                .map_err(|e| e.message)?,
        };
        let compiled =
            compile_count_by_account(context.db.dialect(), ty, &context.tenant, filter.as_ref())
                .map_err(|e| e.to_string())?;
        let text = crate::statement::run_text_for(
            context,
            &compiled.sql,
            &compiled.params,
            limits.query_timeout,
        )
        .await
        .map_err(|e| e.message)?;
        serde_json::from_str(&text).map_err(|e| format!("unreadable count: {e}"))
    }
}
