//! The ingestion writers: one transaction per scope, idempotent batched upserts keyed by
//! (tenant, ARN), child rows replaced only when their parent's content changed, and removal of
//! what a complete listing no longer had. What is written is what the catalogue reads from each
//! asset's API JSON ([`document::rows`]); no column is listed here.

use std::collections::{BTreeMap, HashMap};

use assetql_model::catalogue::document::{self, Cell, Layout, Row};
use assetql_model::catalogue::TypeDef;
use assetql_model::{Scope, SyncRunId};
use assetql_sql::{SqlDialect, Value};
use chrono::{DateTime, Utc};
use serde_json::Value as Json;

use crate::columnar;
use crate::database::Database;
use crate::error::StoreError;
use crate::exec::{self, Tx};

/// What one upsert call did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct UpsertStats {
    /// Assets not stored before.
    pub added: u64,
    /// Stored assets whose content changed.
    pub updated: u64,
    /// Stored assets seen again unchanged (only `last_seen_at` moved).
    pub unchanged: u64,
}

impl std::ops::AddAssign for UpsertStats {
    fn add_assign(&mut self, other: Self) {
        self.added += other.added;
        self.updated += other.updated;
        self.unchanged += other.unchanged;
    }
}

mod rows;

/// Writes one scope's assets inside one transaction: nothing is visible to readers until
/// [`ScopeWriter::commit`], and dropping the writer rolls everything back.
pub struct ScopeWriter {
    tx: Tx,
    dialect: SqlDialect,
    scope: Scope,
    run: SyncRunId,
    seen_at: DateTime<Utc>,
}

impl Database {
    /// Opens the write transaction of one sync run of `scope`; assets written through it are
    /// stamped as seen at `seen_at` by `run`.
    pub async fn scope_writer(
        &self,
        scope: &Scope,
        run: SyncRunId,
        seen_at: DateTime<Utc>,
    ) -> Result<ScopeWriter, StoreError> {
        Ok(ScopeWriter {
            tx: self.begin_write("begin_scope_write").await?,
            dialect: self.dialect(),
            scope: scope.clone(),
            run,
            seen_at,
        })
    }
}

impl ScopeWriter {
    /// Upserts assets of `ty` from their API JSON (each with its `tags` inline), with their
    /// owned child rows. An asset whose content hash is unchanged only moves its `last_seen_at`;
    /// a changed one has its child rows replaced. The last document of an ARN wins.
    pub async fn upsert(
        &mut self,
        ty: &'static TypeDef,
        documents: &[Json],
    ) -> Result<UpsertStats, StoreError> {
        let layouts = document::layouts(ty);
        let version = document::model_version(ty);
        let mut by_arn: BTreeMap<String, Vec<Row>> = BTreeMap::new();
        for doc in documents {
            let rows = document::rows(ty, doc);
            let arn = match rows.first().and_then(|r| r.get("arn")) {
                Some(Cell::Text(arn)) if !arn.is_empty() => arn.clone(),
                _ => {
                    return Err(StoreError::InvalidAsset {
                        asset_type: ty.name,
                        reason: "the document has no ARN".to_owned(),
                    })
                }
            };
            by_arn.insert(arn, rows);
        }
        let tenant = self.scope.tenant.as_str().to_owned();
        let arns: Vec<&str> = by_arn.keys().map(String::as_str).collect();
        let existing = self.existing_hashes(ty.table, &arns).await?;

        let mut stats = UpsertStats::default();
        let mut own_rows = Vec::with_capacity(by_arn.len());
        // Stored assets whose content changed: their old child rows go first. A new asset has
        // none (an asset's children go with it), so the deletes are skipped for it.
        let mut replaced: Vec<String> = Vec::new();
        let mut children = rows::ChildRows::new(&layouts);
        for (arn, rows) in by_arn {
            let hash = document::content_hash(&rows);
            let (is_changed, stored) = match existing.get(&arn) {
                None => {
                    stats.added += 1;
                    (true, false)
                }
                Some(old) if *old != hash => {
                    stats.updated += 1;
                    (true, true)
                }
                Some(_) => {
                    stats.unchanged += 1;
                    (false, true)
                }
            };
            let mut rows = rows.into_iter();
            let own = rows.next().ok_or(StoreError::InvalidAsset {
                asset_type: ty.name,
                reason: "no row".to_owned(),
            })?;
            let mut values = rows::values(ty, &layouts[0], own, Vec::new())?;
            values.extend([
                Value::text(&tenant),
                Value::text(&self.scope.cloud_account_id),
                Value::text(&self.scope.region),
                Value::Timestamp(Some(self.seen_at)),
                Value::Timestamp(Some(self.seen_at)),
                Value::text(hash),
                Value::Int(Some(self.run.0)),
                Value::text(&version),
            ]);
            own_rows.push(values);
            if is_changed {
                for row in rows {
                    children.push(ty, &layouts, &tenant, row)?;
                }
                if stored {
                    replaced.push(arn);
                }
            }
        }

        let columns = rows::columns(&layouts[0], true);
        let updates: Vec<String> = columns
            .iter()
            .filter(|c| !matches!(**c, "tenant_id" | "arn" | "first_seen_at"))
            .map(|c| format!("{c} = excluded.{c}"))
            .collect();
        let conflict = format!(
            "ON CONFLICT (tenant_id, arn) DO UPDATE SET {}",
            updates.join(", ")
        );
        self.insert_rows("upsert_assets", ty.table, &columns, own_rows, &conflict)
            .await?;

        let replaced: Vec<&str> = replaced.iter().map(String::as_str).collect();
        if !replaced.is_empty() {
            // Children before their parents' rows of other child tables: deepest first.
            for layout in layouts.iter().skip(1).rev() {
                self.delete_children(layout.table, layout.asset_arn, &replaced)
                    .await?;
            }
        }
        for child in children.tables {
            self.insert_rows(
                "insert_children",
                child.table,
                &child.columns,
                child.rows,
                "",
            )
            .await?;
        }
        Ok(stats)
    }

    /// Marks stored assets of `ty` as seen by this run without reading them again (a task
    /// definition revision listed with the status it was stored with: AWS never changes its
    /// content otherwise).
    pub async fn mark_seen(
        &mut self,
        ty: &'static TypeDef,
        arns: &[String],
    ) -> Result<UpsertStats, StoreError> {
        let mut stats = UpsertStats::default();
        let arns: Vec<&str> = arns.iter().map(String::as_str).collect();
        for chunk in arns.chunks(self.dialect.max_parameters() - 3) {
            let (list, mut values) = self.arn_list_from(chunk, 4);
            let sql = format!(
                "UPDATE {} SET last_seen_at = $2, last_sync_run_id = $3 \
                 WHERE tenant_id = $1 AND arn IN ({list})",
                ty.table
            );
            let mut all = vec![
                Value::text(self.scope.tenant.as_str()),
                Value::Timestamp(Some(self.seen_at)),
                Value::Int(Some(self.run.0)),
            ];
            all.append(&mut values);
            stats.unchanged += exec::execute(&mut self.tx, "mark_seen", &sql, &all).await?;
        }
        Ok(stats)
    }

    /// `$2, $3, …` for `arns` and their values (the caller binds `$1`).
    fn arn_list(&self, arns: &[&str]) -> (String, Vec<Value>) {
        self.arn_list_from(arns, 2)
    }

    /// Placeholders numbered from `first` for `arns`, and their values.
    fn arn_list_from(&self, arns: &[&str], first: usize) -> (String, Vec<Value>) {
        let mut list = String::new();
        let mut values = Vec::with_capacity(arns.len());
        for (i, arn) in arns.iter().enumerate() {
            if i > 0 {
                list.push_str(", ");
            }
            self.dialect.write_placeholder(&mut list, first + i);
            values.push(Value::text(*arn));
        }
        (list, values)
    }

    /// Removes this scope's assets of `ty` that this run did not write, with their child rows
    /// and tags. Call only after a complete, successful listing of the scope.
    pub async fn delete_unseen(&mut self, ty: &'static TypeDef) -> Result<u64, StoreError> {
        let table = ty.table;
        let scope_filter = "tenant_id = $1 AND cloud_account_id = $2 AND region = $3 \
                            AND (last_sync_run_id IS NULL OR last_sync_run_id <> $4)";
        let values = [
            Value::text(self.scope.tenant.as_str()),
            Value::text(&self.scope.cloud_account_id),
            Value::text(&self.scope.region),
            Value::Int(Some(self.run.0)),
        ];
        let layouts: Vec<Layout> = document::layouts(ty);
        for child in layouts.iter().skip(1).rev() {
            exec::execute(
                &mut self.tx,
                "delete_unseen",
                &format!(
                    "DELETE FROM {} WHERE tenant_id = $1 AND {} IN \
                     (SELECT arn FROM {table} WHERE {scope_filter})",
                    child.table, child.asset_arn
                ),
                &values,
            )
            .await?;
        }
        exec::execute(
            &mut self.tx,
            "delete_unseen",
            &format!("DELETE FROM {table} WHERE {scope_filter}"),
            &values,
        )
        .await
    }

    /// Makes everything written through this writer visible at once, and marks its sync run
    /// `succeeded` in the same transaction: a run is never `succeeded` without its data, nor its
    /// data committed under a run that says `running`.
    pub async fn commit(mut self) -> Result<(), StoreError> {
        self.refresh_latest_active_revisions().await?;
        let marked = exec::execute(
            &mut self.tx,
            "commit_scope_write",
            "UPDATE sync_runs SET status = 'succeeded', finished_at = $2 \
             WHERE id = $1 AND status = 'running'",
            &[
                Value::Int(Some(self.run.0)),
                Value::Timestamp(Some(Utc::now())),
            ],
        )
        .await?;
        if marked != 1 {
            // Another run of the scope started since and marked this one abandoned: its
            // listing is older, so it must not replace what the newer run writes.
            return Err(StoreError::SyncRunNotFound(self.run.0));
        }
        // Last, so that concurrent scopes of the tenant hold its generation row only briefly.
        exec::bump_generation(&mut self.tx, self.scope.tenant.as_str()).await?;
        self.tx.commit("commit_scope_write").await
    }

    /// Keeps `latestActiveRevision` exact for the scope: true on the highest ACTIVE revision of
    /// each family, false on every other. Only rows whose flag is wrong are written (a flip), so
    /// an unchanged scope writes nothing. Run at each commit, so that every writer (the sync,
    /// the generator, a re-scan) leaves it exact, whatever it wrote.
    async fn refresh_latest_active_revisions(&mut self) -> Result<u64, StoreError> {
        let table = assetql_model::catalogue::ECS_TASK_DEFINITION.table;
        // One pass over the scope's latest ACTIVE (family, revision) pairs, computed once (a
        // correlated subquery per row was quadratic: minutes per scope at 200,000 revisions).
        let sql = format!(
            "UPDATE {table} SET latest_active_revision = NOT latest_active_revision \
             WHERE tenant_id = $1 AND cloud_account_id = $2 AND region = $3 \
             AND latest_active_revision <> COALESCE(status = 'ACTIVE' AND (family, revision) IN \
             (SELECT family, MAX(revision) FROM {table} WHERE tenant_id = $1 \
             AND cloud_account_id = $2 AND region = $3 AND status = 'ACTIVE' GROUP BY family), \
             FALSE)"
        );
        exec::execute(
            &mut self.tx,
            "refresh_latest_active_revisions",
            &sql,
            &[
                Value::text(self.scope.tenant.as_str()),
                Value::text(&self.scope.cloud_account_id),
                Value::text(&self.scope.region),
            ],
        )
        .await
    }

    /// Stored content hashes of the given ARNs of this tenant.
    async fn existing_hashes(
        &mut self,
        table: &str,
        arns: &[&str],
    ) -> Result<HashMap<String, String>, StoreError> {
        let mut found = HashMap::new();
        for chunk in arns.chunks(self.dialect.max_parameters() - 1) {
            let (list, arn_values) = self.arn_list(chunk);
            let sql = format!(
                "SELECT arn, content_hash FROM {table} WHERE tenant_id = $1 AND arn IN ({list})"
            );
            let mut values = vec![Value::text(self.scope.tenant.as_str())];
            values.extend(arn_values);
            let rows =
                exec::fetch_text_rows(&mut self.tx, "existing_hashes", &sql, &values).await?;
            for row in rows {
                if let [Some(arn), Some(hash)] =
                    <[Option<String>; 2]>::try_from(row).map_err(|_| StoreError::Corrupt {
                        column: "content_hash",
                        reason: "unexpected column count".to_owned(),
                    })?
                {
                    found.insert(arn, hash);
                }
            }
        }
        Ok(found)
    }

    async fn delete_children(
        &mut self,
        table: &str,
        parent_column: &str,
        arns: &[&str],
    ) -> Result<(), StoreError> {
        for chunk in arns.chunks(self.dialect.max_parameters() - 1) {
            let (list, arn_values) = self.arn_list(chunk);
            let sql =
                format!("DELETE FROM {table} WHERE tenant_id = $1 AND {parent_column} IN ({list})");
            let mut values = vec![Value::text(self.scope.tenant.as_str())];
            values.extend(arn_values);
            exec::execute(&mut self.tx, "delete_children", &sql, &values).await?;
        }
        Ok(())
    }

    /// Multi-row INSERT in chunks that stay under the dialect's parameter limit.
    async fn insert_rows(
        &mut self,
        operation: &'static str,
        table: &str,
        columns: &[&str],
        rows: Vec<Vec<Value>>,
        suffix: &str,
    ) -> Result<(), StoreError> {
        // PostgreSQL: one array per column expanded by `unnest` (see `columnar`).
        if let Tx::Postgres(tx) = &mut self.tx {
            return columnar::insert(tx, operation, table, columns, rows, suffix).await;
        }
        let per_statement = (self.dialect.max_parameters() / columns.len()).max(1);
        let mut rows = rows.into_iter().peekable();
        while rows.peek().is_some() {
            let chunk: Vec<Vec<Value>> = rows.by_ref().take(per_statement).collect();
            let mut sql = format!("INSERT INTO {table} ({}) VALUES ", columns.join(", "));
            let mut values = Vec::with_capacity(chunk.len() * columns.len());
            for (r, row) in chunk.into_iter().enumerate() {
                debug_assert_eq!(row.len(), columns.len(), "row shape of {table}");
                sql.push_str(if r == 0 { "(" } else { ", (" });
                for (c, value) in row.into_iter().enumerate() {
                    if c > 0 {
                        sql.push_str(", ");
                    }
                    values.push(value);
                    self.dialect.write_placeholder(&mut sql, values.len());
                }
                sql.push(')');
            }
            if !suffix.is_empty() {
                sql.push(' ');
                sql.push_str(suffix);
            }
            exec::execute(&mut self.tx, operation, &sql, &values).await?;
        }
        Ok(())
    }
}
