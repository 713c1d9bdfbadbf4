use std::collections::BTreeMap;

use assetql_model::{Scope, SyncRunId, TenantId};
use assetql_sql::Value;
use chrono::{DateTime, Utc};

use crate::database::Database;
use crate::error::StoreError;
use crate::exec;

/// Where a sync run stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SyncRunStatus {
    /// Started, not finished (or the process died: a run left `running` never committed data).
    Running,
    /// Listing and writing completed; unseen assets were removed.
    Succeeded,
    /// Something failed; the scope's previous data was left as it was.
    Failed,
    /// Left `running` by a process that stopped; a later run of the scope marked it.
    Abandoned,
}

impl SyncRunStatus {
    fn as_str(self) -> &'static str {
        match self {
            SyncRunStatus::Running => "running",
            SyncRunStatus::Succeeded => "succeeded",
            SyncRunStatus::Failed => "failed",
            SyncRunStatus::Abandoned => "abandoned",
        }
    }

    fn parse(text: &str) -> Result<Self, StoreError> {
        match text {
            "running" => Ok(SyncRunStatus::Running),
            "succeeded" => Ok(SyncRunStatus::Succeeded),
            "failed" => Ok(SyncRunStatus::Failed),
            "abandoned" => Ok(SyncRunStatus::Abandoned),
            other => Err(StoreError::Corrupt {
                column: "sync_runs.status",
                reason: format!("unknown status {other:?}"),
            }),
        }
    }
}

/// What a finished run reports.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SyncRunSummary {
    /// Assets inserted for the first time.
    pub added: u64,
    /// Assets whose content changed.
    pub updated: u64,
    /// Assets removed because the listing no longer had them.
    pub removed: u64,
    /// AWS API calls made, by operation name.
    pub api_calls: BTreeMap<String, u64>,
}

/// One recorded sync run of one scope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncRun {
    /// Run id.
    pub id: SyncRunId,
    /// The scope it synced.
    pub scope: Scope,
    /// Where it stands.
    pub status: SyncRunStatus,
    /// Start time.
    pub started_at: DateTime<Utc>,
    /// End time, once finished.
    pub finished_at: Option<DateTime<Utc>>,
    /// Why it failed.
    pub error: Option<String>,
    /// Counts and API calls.
    pub summary: SyncRunSummary,
}

impl Database {
    /// Records the start of a sync of `scope` and returns its id. Runs of the same scope still
    /// `running` (their process died, or is about to lose the race) become `abandoned`.
    pub async fn begin_sync_run(
        &self,
        scope: &Scope,
        started_at: DateTime<Utc>,
    ) -> Result<SyncRunId, StoreError> {
        let mut conn = self.acquire("begin_sync_run").await?;
        exec::execute(
            &mut conn,
            "begin_sync_run",
            "UPDATE sync_runs SET status = 'abandoned', finished_at = $4, \
             error = 'superseded by a later run of the scope while still running' \
             WHERE tenant_id = $1 AND cloud_account_id = $2 AND region = $3 \
             AND status = 'running'",
            &[
                Value::text(scope.tenant.as_str()),
                Value::text(&scope.cloud_account_id),
                Value::text(&scope.region),
                Value::Timestamp(Some(started_at)),
            ],
        )
        .await?;
        let id = exec::fetch_i64(
            &mut conn,
            "begin_sync_run",
            "INSERT INTO sync_runs (tenant_id, cloud_account_id, region, status, started_at) \
             VALUES ($1, $2, $3, 'running', $4) RETURNING id",
            &[
                Value::text(scope.tenant.as_str()),
                Value::text(&scope.cloud_account_id),
                Value::text(&scope.region),
                Value::Timestamp(Some(started_at)),
            ],
        )
        .await?;
        Ok(SyncRunId(id))
    }

    /// Records how a run ended.
    pub async fn finish_sync_run(
        &self,
        id: SyncRunId,
        status: SyncRunStatus,
        error: Option<&str>,
        summary: &SyncRunSummary,
        finished_at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin_write("finish_sync_run").await?;
        let api_calls = serde_json::to_value(&summary.api_calls)
            .expect("a map of strings to integers always serializes");
        let count = |n: u64| Value::Int(Some(i64::try_from(n).unwrap_or(i64::MAX)));
        // RETURNING names the run's tenant, whose generation the new status bumps: the controls
        // API reads it (which scopes have data, and since when).
        let tenant = exec::fetch_text_rows(
            &mut tx,
            "finish_sync_run",
            "UPDATE sync_runs SET status = $2, error = $3, finished_at = $4, api_calls = $5, \
             assets_added = $6, assets_updated = $7, assets_removed = $8 WHERE id = $1 \
             RETURNING tenant_id",
            &[
                Value::Int(Some(id.0)),
                Value::text(status.as_str()),
                Value::Text(error.map(str::to_owned)),
                Value::Timestamp(Some(finished_at)),
                Value::Json(Some(api_calls)),
                count(summary.added),
                count(summary.updated),
                count(summary.removed),
            ],
        )
        .await?
        .into_iter()
        .next()
        .and_then(|row| row.into_iter().next().flatten())
        .ok_or(StoreError::SyncRunNotFound(id.0))?;
        exec::bump_generation(&mut tx, &tenant).await?;
        tx.commit("finish_sync_run").await
    }

    /// Claims `scope` for the worker round starting at `round_start`; true when this caller got
    /// it (and must sync it), false when another worker already did.
    pub async fn claim_scope(
        &self,
        scope: &Scope,
        round_start: DateTime<Utc>,
        worker: &str,
    ) -> Result<bool, StoreError> {
        let mut conn = self.acquire("claim_scope").await?;
        let inserted = exec::execute(
            &mut conn,
            "claim_scope",
            "INSERT INTO sync_scope_claims \
             (tenant_id, cloud_account_id, region, round_start, worker, claimed_at) \
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
            &[
                Value::text(scope.tenant.as_str()),
                Value::text(&scope.cloud_account_id),
                Value::text(&scope.region),
                Value::Timestamp(Some(round_start)),
                Value::text(worker),
                Value::Timestamp(Some(Utc::now())),
            ],
        )
        .await?;
        Ok(inserted == 1)
    }

    /// The internal asset types (`AWS::ECS::TaskDefinition`, …) that have at least one
    /// successful sync for `tenant`, in any scope, or in any region of `cloud_account_id` when
    /// one is named. Every sync run covers every type the collector writes, so today this is
    /// all of them or none.
    pub async fn synced_asset_types(
        &self,
        tenant: &TenantId,
        cloud_account_id: Option<&str>,
    ) -> Result<std::collections::BTreeSet<String>, StoreError> {
        let mut conn = self.acquire("synced_asset_types").await?;
        let synced = exec::fetch_i64(
            &mut conn,
            "synced_asset_types",
            "SELECT CAST(count(*) AS BIGINT) FROM (SELECT 1 FROM sync_runs \
             WHERE tenant_id = $1 AND ($2 IS NULL OR cloud_account_id = $2) \
             AND status = 'succeeded' LIMIT 1) AS any_success",
            &[
                Value::text(tenant.as_str()),
                Value::Text(cloud_account_id.map(str::to_owned)),
            ],
        )
        .await?;
        Ok(if synced > 0 {
            assetql_model::catalogue::asset_types()
                .filter_map(|ty| ty.asset.map(|a| a.internal_asset_type.to_owned()))
                .collect()
        } else {
            Default::default()
        })
    }

    /// For each scope of `tenant` with a successful sync: (account, region, when its newest
    /// successful sync finished), oldest first. A control run reads data this old.
    pub async fn latest_successful_syncs(
        &self,
        tenant: &TenantId,
    ) -> Result<Vec<(String, String, DateTime<Utc>)>, StoreError> {
        let dialect = self.dialect();
        let sql = format!(
            "SELECT cloud_account_id, region, {finished} FROM (SELECT cloud_account_id, region, \
             MAX(finished_at) AS finished_at FROM sync_runs WHERE tenant_id = $1 \
             AND status = 'succeeded' GROUP BY cloud_account_id, region) AS latest \
             ORDER BY finished_at, cloud_account_id, region",
            finished = dialect.timestamp_as_text("finished_at")
        );
        let mut conn = self.acquire("latest_successful_syncs").await?;
        let rows = exec::fetch_text_rows(
            &mut conn,
            "latest_successful_syncs",
            &sql,
            &[Value::text(tenant.as_str())],
        )
        .await?;
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            let [account, region, finished] =
                <[Option<String>; 3]>::try_from(row).map_err(|_| StoreError::Corrupt {
                    column: "sync_runs",
                    reason: "unexpected column count".to_owned(),
                })?;
            let finished = finished
                .as_deref()
                .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
                .map(|t| t.with_timezone(&Utc))
                .ok_or_else(|| StoreError::Corrupt {
                    column: "sync_runs.finished_at",
                    reason: "not a time".to_owned(),
                })?;
            out.push((
                account.unwrap_or_default(),
                region.unwrap_or_default(),
                finished,
            ));
        }
        Ok(out)
    }

    /// Reads one sync run.
    pub async fn sync_run(&self, id: SyncRunId) -> Result<SyncRun, StoreError> {
        let dialect = self.dialect();
        let sql = format!(
            "SELECT tenant_id, cloud_account_id, region, status, {started}, {finished}, error, \
             CAST(api_calls AS TEXT), CAST(assets_added AS TEXT), CAST(assets_updated AS TEXT), \
             CAST(assets_removed AS TEXT) FROM sync_runs WHERE id = $1",
            started = dialect.timestamp_as_text("started_at"),
            finished = dialect.timestamp_as_text("finished_at"),
        );
        let mut conn = self.acquire("sync_run").await?;
        let rows =
            exec::fetch_text_rows(&mut conn, "sync_run", &sql, &[Value::Int(Some(id.0))]).await?;
        let row = rows
            .into_iter()
            .next()
            .ok_or(StoreError::SyncRunNotFound(id.0))?;
        let [tenant, account, region, status, started, finished, error, api_calls, added, updated, removed] =
            <[Option<String>; 11]>::try_from(row).map_err(|_| StoreError::Corrupt {
                column: "sync_runs",
                reason: "unexpected column count".to_owned(),
            })?;
        let required = |column: &'static str, v: Option<String>| {
            v.ok_or(StoreError::Corrupt {
                column,
                reason: "NULL in a NOT NULL column".to_owned(),
            })
        };
        let tenant = TenantId::parse(required("sync_runs.tenant_id", tenant)?).map_err(|e| {
            StoreError::Corrupt {
                column: "sync_runs.tenant_id",
                reason: e.to_string(),
            }
        })?;
        let api_calls: BTreeMap<String, u64> =
            serde_json::from_str(&required("sync_runs.api_calls", api_calls)?).map_err(|e| {
                StoreError::Corrupt {
                    column: "sync_runs.api_calls",
                    reason: e.to_string(),
                }
            })?;
        Ok(SyncRun {
            id,
            scope: Scope {
                tenant,
                cloud_account_id: required("sync_runs.cloud_account_id", account)?,
                region: required("sync_runs.region", region)?,
            },
            status: SyncRunStatus::parse(&required("sync_runs.status", status)?)?,
            started_at: parse_timestamp(
                "sync_runs.started_at",
                &required("sync_runs.started_at", started)?,
            )?,
            finished_at: finished
                .map(|t| parse_timestamp("sync_runs.finished_at", &t))
                .transpose()?,
            error,
            summary: SyncRunSummary {
                added: parse_count("sync_runs.assets_added", added)?,
                updated: parse_count("sync_runs.assets_updated", updated)?,
                removed: parse_count("sync_runs.assets_removed", removed)?,
                api_calls,
            },
        })
    }
}

fn parse_timestamp(column: &'static str, text: &str) -> Result<DateTime<Utc>, StoreError> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| StoreError::Corrupt {
            column,
            reason: format!("{text:?}: {e}"),
        })
}

fn parse_count(column: &'static str, text: Option<String>) -> Result<u64, StoreError> {
    let text = text.unwrap_or_default();
    text.parse().map_err(|_| StoreError::Corrupt {
        column,
        reason: format!("not a count: {text:?}"),
    })
}
