//! The ingestion writers: one transaction per scope, idempotent batched upserts keyed by
//! (tenant, ARN), child rows replaced only when their parent's content changed, and removal of
//! what a complete listing no longer had.

use std::collections::{BTreeMap, HashMap};

use assetql_model::{
    task_definition_content_hash, Cluster, Scope, Service, SyncRunId, Task, TaskDefinition,
};
use assetql_sql::{SqlDialect, Value};
use chrono::{DateTime, Utc};

use crate::columnar::Batch;
use crate::database::Database;
use crate::error::StoreError;
use crate::exec::{self, Tx};

/// The asset types the collector writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum AssetKind {
    /// ECS clusters.
    Cluster,
    /// ECS services.
    Service,
    /// ECS task definition revisions.
    TaskDefinition,
    /// Running ECS tasks.
    Task,
}

impl AssetKind {
    /// Every kind, parents before the kinds that refer to them.
    pub const ALL: [AssetKind; 4] = [
        AssetKind::Cluster,
        AssetKind::Service,
        AssetKind::TaskDefinition,
        AssetKind::Task,
    ];

    /// The table holding this kind.
    pub fn table(self) -> &'static str {
        match self {
            AssetKind::Cluster => "ecs_clusters",
            AssetKind::Service => "ecs_services",
            AssetKind::TaskDefinition => "ecs_task_definitions",
            AssetKind::Task => "ecs_tasks",
        }
    }

    /// Columns specific to this kind, between the common leading columns (`tenant_id`, `arn`,
    /// `cloud_account_id`, `region`) and the common trailing ones.
    fn columns(self) -> &'static [&'static str] {
        match self {
            AssetKind::Cluster => &[
                "name",
                "status",
                "running_tasks_count",
                "pending_tasks_count",
                "active_services_count",
                "registered_container_instances_count",
                "capacity_providers",
            ],
            AssetKind::Service => &[
                "name",
                "cluster_arn",
                "status",
                "launch_type",
                "platform_version",
                "platform_family",
                "task_definition_arn",
                "scheduling_strategy",
                "desired_count",
                "running_count",
                "pending_count",
                "created_at",
            ],
            AssetKind::TaskDefinition => &[
                "family",
                "revision",
                "status",
                "network_mode",
                "pid_mode",
                "ipc_mode",
                "task_role_arn",
                "execution_role_arn",
                "cpu",
                "memory",
                "requires_compatibilities",
                "registered_at",
                "deregistered_at",
                "definition_hash",
            ],
            AssetKind::Task => &[
                "name",
                "cluster_arn",
                "task_definition_arn",
                "last_status",
                "desired_status",
                "launch_type",
                "platform_version",
                "cpu",
                "memory",
                "group_name",
                "availability_zone",
                "started_at",
            ],
        }
    }

    /// Child tables replaced with the parent: (table, column holding the parent ARN).
    /// Nested children (env entries) go with their own parent through ON DELETE CASCADE.
    fn child_tables(self) -> &'static [(&'static str, &'static str)] {
        match self {
            AssetKind::Cluster => &[("ecs_cluster_settings", "cluster_arn")],
            AssetKind::Service => &[("ecs_service_network_configurations", "service_arn")],
            AssetKind::TaskDefinition => &[("ecs_container_specs", "task_definition_arn")],
            AssetKind::Task => &[],
        }
    }
}

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

use rows::*;

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
        let err = |e| StoreError::from_sqlx("begin_scope_write", e);
        let tx = match self {
            Database::Postgres(pool) => Tx::Postgres(pool.begin().await.map_err(err)?),
            // IMMEDIATE takes the write lock up front, so two writers queue on the busy timeout
            // instead of failing when a read transaction tries to upgrade.
            Database::Sqlite(pool) => {
                Tx::Sqlite(pool.begin_with("BEGIN IMMEDIATE").await.map_err(err)?)
            }
        };
        Ok(ScopeWriter {
            tx,
            dialect: self.dialect(),
            scope: scope.clone(),
            run,
            seen_at,
        })
    }
}

impl ScopeWriter {
    /// Upserts clusters with their settings and tags.
    pub async fn upsert_clusters(&mut self, assets: &[Cluster]) -> Result<UpsertStats, StoreError> {
        self.upsert(assets).await
    }

    /// Upserts services with their network configuration and tags.
    pub async fn upsert_services(&mut self, assets: &[Service]) -> Result<UpsertStats, StoreError> {
        self.upsert(assets).await
    }

    /// Upserts task definition revisions with their containers, env entries and tags.
    pub async fn upsert_task_definitions(
        &mut self,
        assets: &[TaskDefinition],
    ) -> Result<UpsertStats, StoreError> {
        self.upsert(assets).await
    }

    /// Upserts running tasks with their tags.
    pub async fn upsert_tasks(&mut self, assets: &[Task]) -> Result<UpsertStats, StoreError> {
        self.upsert(assets).await
    }

    /// Records the listing of already stored task definition revisions: each is marked seen by
    /// this run, and a changed status is stored with a re-computed content hash (a revision is
    /// immutable except its status, so it is not described again). ARNs not stored are
    /// returned, untouched.
    pub async fn touch_task_definitions(
        &mut self,
        statuses: &[(String, Option<String>)],
    ) -> Result<(UpsertStats, Vec<String>), StoreError> {
        let mut stats = UpsertStats::default();
        let mut stored: HashMap<String, (String, Option<String>)> = HashMap::new();
        let arns: Vec<&str> = statuses.iter().map(|(arn, _)| arn.as_str()).collect();
        for chunk in arns.chunks(self.dialect.max_parameters() - 1) {
            let (list, mut values) = self.arn_list(chunk);
            let sql = format!(
                "SELECT arn, definition_hash, status FROM ecs_task_definitions \
                 WHERE tenant_id = $1 AND arn IN ({list})"
            );
            values.insert(0, Value::text(self.scope.tenant.as_str()));
            for row in
                exec::fetch_text_rows(&mut self.tx, "touch_task_definitions", &sql, &values).await?
            {
                if let [Some(arn), Some(hash), status] = <[Option<String>; 3]>::try_from(row)
                    .map_err(|_| StoreError::Corrupt {
                        column: "ecs_task_definitions",
                        reason: "unexpected column count".to_owned(),
                    })?
                {
                    stored.insert(arn, (hash, status));
                }
            }
        }
        let mut missing = Vec::new();
        let mut seen_unchanged: Vec<&str> = Vec::new();
        for (arn, status) in statuses {
            match stored.get(arn) {
                None => missing.push(arn.clone()),
                Some((_, old)) if old == status => {
                    stats.unchanged += 1;
                    seen_unchanged.push(arn);
                }
                Some((definition_hash, _)) => {
                    stats.updated += 1;
                    let hash = task_definition_content_hash(definition_hash, status.as_deref());
                    exec::execute(
                        &mut self.tx,
                        "touch_task_definitions",
                        "UPDATE ecs_task_definitions SET status = $3, content_hash = $4, \
                         last_seen_at = $5, last_sync_run_id = $6 WHERE tenant_id = $1 AND arn = $2",
                        &[
                            Value::text(self.scope.tenant.as_str()),
                            Value::text(arn),
                            Value::Text(status.clone()),
                            Value::text(hash),
                            Value::Timestamp(Some(self.seen_at)),
                            Value::Int(Some(self.run.0)),
                        ],
                    )
                    .await?;
                }
            }
        }
        for chunk in seen_unchanged.chunks(self.dialect.max_parameters() - 3) {
            let (list, mut values) = self.arn_list_from(chunk, 4);
            let sql = format!(
                "UPDATE ecs_task_definitions SET last_seen_at = $2, last_sync_run_id = $3 \
                 WHERE tenant_id = $1 AND arn IN ({list})"
            );
            let mut all = vec![
                Value::text(self.scope.tenant.as_str()),
                Value::Timestamp(Some(self.seen_at)),
                Value::Int(Some(self.run.0)),
            ];
            all.append(&mut values);
            exec::execute(&mut self.tx, "touch_task_definitions", &sql, &all).await?;
        }
        Ok((stats, missing))
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

    /// Removes this scope's assets of `kind` that this run did not write (with their children
    /// and tags). Call only after a complete, successful listing of the scope.
    pub async fn delete_unseen(&mut self, kind: AssetKind) -> Result<u64, StoreError> {
        let table = kind.table();
        let scope_filter = "tenant_id = $1 AND cloud_account_id = $2 AND region = $3 \
                            AND (last_sync_run_id IS NULL OR last_sync_run_id <> $4)";
        let values = [
            Value::text(self.scope.tenant.as_str()),
            Value::text(&self.scope.cloud_account_id),
            Value::text(&self.scope.region),
            Value::Int(Some(self.run.0)),
        ];
        exec::execute(
            &mut self.tx,
            "delete_unseen",
            &format!(
                "DELETE FROM tags WHERE tenant_id = $1 AND resource_arn IN \
                 (SELECT arn FROM {table} WHERE {scope_filter})"
            ),
            &values,
        )
        .await?;
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
        let err = |e| StoreError::from_sqlx("commit_scope_write", e);
        match self.tx {
            Tx::Postgres(tx) => tx.commit().await.map_err(err),
            Tx::Sqlite(tx) => tx.commit().await.map_err(err),
        }
    }

    async fn upsert<A: Writable>(&mut self, assets: &[A]) -> Result<UpsertStats, StoreError> {
        let kind = A::KIND;
        // The last occurrence of an ARN wins; one statement may not touch a row twice.
        let mut by_arn: BTreeMap<&str, &A> = BTreeMap::new();
        for asset in assets {
            by_arn.insert(asset.arn().as_str(), asset);
        }
        let tenant = self.scope.tenant.as_str().to_owned();
        let arns: Vec<&str> = by_arn.keys().copied().collect();
        let existing = self.existing_hashes(kind, &arns).await?;

        let mut stats = UpsertStats::default();
        let mut rows = Vec::with_capacity(by_arn.len());
        let mut changed: Vec<&A> = Vec::new();
        for asset in by_arn.values() {
            let hash = asset.content_hash();
            match existing.get(asset.arn().as_str()) {
                None => {
                    stats.added += 1;
                    changed.push(asset);
                }
                Some(old) if *old != hash => {
                    stats.updated += 1;
                    changed.push(asset);
                }
                Some(_) => stats.unchanged += 1,
            }
            let mut row = vec![
                Value::text(&tenant),
                Value::text(asset.arn().as_str()),
                Value::text(&self.scope.cloud_account_id),
                Value::text(&self.scope.region),
            ];
            row.extend(asset.values());
            row.extend([
                Value::Timestamp(Some(self.seen_at)),
                Value::Timestamp(Some(self.seen_at)),
                Value::text(hash),
                Value::Int(Some(self.run.0)),
            ]);
            rows.push(row);
        }

        let columns: Vec<&str> = COMMON_LEADING
            .iter()
            .chain(kind.columns())
            .chain(COMMON_TRAILING.iter())
            .copied()
            .collect();
        let updates: Vec<String> = columns
            .iter()
            .filter(|c| !matches!(**c, "tenant_id" | "arn" | "first_seen_at"))
            .map(|c| format!("{c} = excluded.{c}"))
            .collect();
        let conflict = format!(
            "ON CONFLICT (tenant_id, arn) DO UPDATE SET {}",
            updates.join(", ")
        );
        self.insert_rows("upsert_assets", kind.table(), &columns, rows, &conflict)
            .await?;

        if changed.is_empty() {
            return Ok(stats);
        }
        let changed_arns: Vec<&str> = changed.iter().map(|a| a.arn().as_str()).collect();
        for (child, parent_column) in kind.child_tables() {
            self.delete_children(child, parent_column, &changed_arns)
                .await?;
        }
        self.delete_children("tags", "resource_arn", &changed_arns)
            .await?;
        let mut children = ChildRows::default();
        for asset in &changed {
            asset.children(&tenant, &mut children);
            for tag in asset.tags() {
                children.push(
                    "tags",
                    TAG_COLUMNS,
                    vec![
                        Value::text(&tenant),
                        Value::text(asset.arn().as_str()),
                        Value::text(&tag.key),
                        text(&tag.value),
                    ],
                );
            }
        }
        for child in children.tables {
            self.insert_rows(
                "insert_children",
                child.table,
                child.columns,
                child.rows,
                "",
            )
            .await?;
        }
        Ok(stats)
    }

    /// Stored content hashes of the given ARNs of this tenant.
    async fn existing_hashes(
        &mut self,
        kind: AssetKind,
        arns: &[&str],
    ) -> Result<HashMap<String, String>, StoreError> {
        let mut found = HashMap::new();
        for chunk in arns.chunks(self.dialect.max_parameters() - 1) {
            let (list, arn_values) = self.arn_list(chunk);
            let sql = format!(
                "SELECT arn, content_hash FROM {} WHERE tenant_id = $1 AND arn IN ({list})",
                kind.table()
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

    /// PostgreSQL: the rows as one array per column expanded by `unnest` (see
    /// [`columnar`](crate::columnar)), in statements of up to [`ROWS_PER_STATEMENT`] rows.
    async fn insert_rows_columnar(
        &mut self,
        operation: &'static str,
        table: &str,
        columns: &[&str],
        rows: Vec<Vec<Value>>,
        suffix: &str,
    ) -> Result<(), StoreError> {
        let Tx::Postgres(tx) = &mut self.tx else {
            return Err(StoreError::Corrupt {
                column: "batch insert",
                reason: "column arrays are for PostgreSQL".to_owned(),
            });
        };
        let mut rows = rows.into_iter().peekable();
        while rows.peek().is_some() {
            let chunk: Vec<Vec<Value>> = rows.by_ref().take(ROWS_PER_STATEMENT).collect();
            let Some(batch) = Batch::new(table, columns, chunk, suffix)? else {
                continue;
            };
            let sql = batch.query().to_owned();
            batch
                .bind(sqlx::query(&sql))
                .execute(&mut **tx)
                .await
                .map_err(|e| StoreError::from_sqlx(operation, e))?;
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
        if self.dialect == SqlDialect::Postgres {
            return self
                .insert_rows_columnar(operation, table, columns, rows, suffix)
                .await;
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

/// Rows per PostgreSQL insert statement (a few MB of parameters at most).
const ROWS_PER_STATEMENT: usize = 5_000;
