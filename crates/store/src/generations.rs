//! Each tenant's inventory generation: a counter bumped in the same transaction as every write
//! that can change an answer to that tenant, so that an answer computed after reading
//! generation `g` stays the answer for as long as the generation reads `g` (the server's answer
//! cache, `assetql_server::answer_cache`). Writes that bump: a sync scope's commit and its end,
//! a control run recorded, an exception created or revoked, an account's name or environment,
//! and (for every tenant) a migration.

use std::collections::HashMap;

use assetql_model::TenantId;
use assetql_sql::Value;

use crate::database::Database;
use crate::error::StoreError;
use crate::exec;

impl Database {
    /// The generations of `tenants` (a tenant never written has none: read it as 0). One
    /// statement whatever the number of tenants: the server reads those of the requests waiting.
    pub async fn inventory_generations(
        &self,
        tenants: &[TenantId],
    ) -> Result<HashMap<TenantId, i64>, StoreError> {
        if tenants.is_empty() {
            return Ok(HashMap::new());
        }
        let placeholders: Vec<String> = (1..=tenants.len()).map(|n| format!("${n}")).collect();
        let values: Vec<Value> = tenants.iter().map(|t| Value::text(t.as_str())).collect();
        let mut conn = self.acquire("inventory_generations").await?;
        let rows = exec::fetch_text_rows(
            &mut conn,
            "inventory_generations",
            &format!(
                "SELECT tenant_id, CAST(generation AS TEXT) FROM inventory_generations \
                 WHERE tenant_id IN ({})",
                placeholders.join(", ")
            ),
            &values,
        )
        .await?;
        let corrupt = |reason: String| StoreError::Corrupt {
            column: "inventory_generations",
            reason,
        };
        rows.into_iter()
            .map(|row| {
                let mut cells = row.into_iter();
                let tenant = cells.next().flatten().unwrap_or_default();
                let generation = cells.next().flatten().unwrap_or_default();
                let tenant = TenantId::parse(&tenant)
                    .map_err(|_| corrupt(format!("not a tenant id: {tenant:?}")))?;
                let generation = generation
                    .parse()
                    .map_err(|_| corrupt(format!("not an integer: {generation:?}")))?;
                Ok((tenant, generation))
            })
            .collect()
    }

    /// Bumps the generation of `tenant` on its own (after a write that is not one of the
    /// store's, such as a test editing rows by hand).
    pub async fn bump_generation(&self, tenant: &TenantId) -> Result<(), StoreError> {
        let mut tx = self.begin_write("bump_generation").await?;
        exec::bump_generation(&mut tx, tenant.as_str()).await?;
        tx.commit("bump_generation").await
    }

    /// Bumps every tenant's generation (after migrations: answers may be computed differently).
    pub(crate) async fn bump_all_generations(&self) -> Result<(), StoreError> {
        let mut conn = self.acquire("bump_all_generations").await?;
        exec::execute(
            &mut conn,
            "bump_all_generations",
            "UPDATE inventory_generations SET generation = generation + 1",
            &[],
        )
        .await?;
        Ok(())
    }
}
