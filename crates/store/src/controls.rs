//! Control runs, their findings, and exceptions.

use assetql_model::TenantId;
use assetql_sql::Value;
use chrono::{DateTime, Utc};

pub use crate::control_status::ControlStatus;
use crate::database::Database;
use crate::error::StoreError;
use crate::exec;

/// One asset a control run reported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// The asset's `identifier`.
    pub asset_identifier: String,
    /// Its `idFromProvider` (ARN), when the query selected it.
    pub id_from_provider: Option<String>,
    /// Its `internalAssetType`, when selected.
    pub asset_type: Option<String>,
    /// Whether an active exception moved it out of the failing set.
    pub excepted: bool,
}

/// One evaluation of one control for one tenant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ControlRun {
    /// Run id (0 before it is recorded).
    pub id: i64,
    /// The control.
    pub control_id: String,
    /// How it ended.
    pub status: ControlStatus,
    /// When the evaluation started.
    pub started_at: DateTime<Utc>,
    /// How long it took.
    pub duration_ms: i64,
    /// Why it is `error`.
    pub error: Option<String>,
    /// The sync run it followed, if any.
    pub sync_run_id: Option<i64>,
    /// Failing and excepted assets.
    pub findings: Vec<Finding>,
    /// How many assets the control applies to; `None` when not known (error and no_data
    /// runs, runs recorded before applicable counts existed).
    pub applicable: Option<i64>,
    /// The same per AWS account.
    pub applicable_by_account: std::collections::BTreeMap<String, i64>,
    /// Identifiers failing now that were not failing in the previous decided run of the same
    /// control and tenant (empty on the first one: nothing to compare with).
    pub newly_failing: Vec<String>,
    /// Identifiers failing in the previous decided run that are not failing now.
    pub fixed: Vec<String>,
    /// Scopes whose newest successful sync was older than the runner's maximum data age when
    /// the run evaluated: its verdict is about data that old.
    pub stale_scopes: Vec<StaleScope>,
    /// The recorded (failing, excepted) counts of a run read without its findings
    /// ([`Database::control_runs_without_findings`]); `None` when `findings` is complete.
    pub stored_counts: Option<(i64, i64)>,
}

/// A scope (account and region) whose data is older than a run allowed.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StaleScope {
    /// The AWS account.
    pub cloud_account_id: String,
    /// The region.
    pub region: String,
    /// When its newest successful sync finished.
    pub last_synced_at: DateTime<Utc>,
}

impl ControlRun {
    /// Assets still failing.
    pub fn failing(&self) -> impl Iterator<Item = &Finding> {
        self.findings.iter().filter(|f| !f.excepted)
    }

    /// A run that records `status` for `control_id` at `started_at` with nothing else known.
    pub fn new(control_id: &str, status: ControlStatus, started_at: DateTime<Utc>) -> Self {
        ControlRun {
            id: 0,
            control_id: control_id.to_owned(),
            status,
            started_at,
            duration_ms: 0,
            error: None,
            sync_run_id: None,
            findings: Vec::new(),
            applicable: None,
            applicable_by_account: Default::default(),
            newly_failing: Vec::new(),
            fixed: Vec::new(),
            stale_scopes: Vec::new(),
            stored_counts: None,
        }
    }

    /// How many assets fail (not excepted): from the findings, or the recorded count when the
    /// run was read without them.
    pub fn failing_count(&self) -> i64 {
        match self.stored_counts {
            Some((failing, _)) => failing,
            None => i64::try_from(self.failing().count()).unwrap_or(i64::MAX),
        }
    }

    /// How many reported assets are excepted.
    pub fn excepted_count(&self) -> i64 {
        match self.stored_counts {
            Some((_, excepted)) => excepted,
            None => i64::try_from(self.findings.iter().filter(|f| f.excepted).count())
                .unwrap_or(i64::MAX),
        }
    }

    /// The share of applicable assets not failing, in percent (excepted ones count as not
    /// failing); `None` when the applicable count is not known or zero.
    pub fn compliance_percent(&self) -> Option<f64> {
        let applicable = self.applicable.filter(|n| *n > 0)?;
        let failing = self.failing_count();
        Some(100.0 * (applicable - failing).max(0) as f64 / applicable as f64)
    }

    /// Applicable and failing assets per AWS account (the account of a finding is read from
    /// its ARN).
    ///
    /// Empty for a run read without its findings (`stored_counts`): the per-account failing
    /// counts are not known then, and zero would read as compliant.
    pub fn by_account(&self) -> std::collections::BTreeMap<String, (i64, i64)> {
        if self.stored_counts.is_some() {
            return Default::default();
        }
        let mut out: std::collections::BTreeMap<String, (i64, i64)> = self
            .applicable_by_account
            .iter()
            .map(|(account, n)| (account.clone(), (*n, 0)))
            .collect();
        for finding in self.failing() {
            if let Some(account) = finding.asset_identifier.split(':').nth(4) {
                out.entry(account.to_owned()).or_default().1 += 1;
            }
        }
        out
    }
}

/// An exception: one asset, one control, an owner, a reason and an expiry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ControlException {
    /// Exception id.
    pub id: i64,
    /// The control.
    pub control_id: String,
    /// The excepted asset's `identifier`.
    pub asset_identifier: String,
    /// Who answers for it.
    pub owner: String,
    /// Why.
    pub reason: String,
    /// When it stops applying.
    pub expires_at: DateTime<Utc>,
    /// Who created it.
    pub created_by: String,
    /// When.
    pub created_at: DateTime<Utc>,
    /// When it was revoked, if it was.
    pub revoked_at: Option<DateTime<Utc>>,
}

impl ControlException {
    /// Whether it applies at `at`.
    pub fn is_active(&self, at: DateTime<Utc>) -> bool {
        self.revoked_at.is_none() && self.expires_at > at
    }
}

impl Database {
    /// Whether `tenant`'s inventory holds an asset whose identifier (ARN) is `identifier`.
    pub async fn asset_exists(
        &self,
        tenant: &TenantId,
        identifier: &str,
    ) -> Result<bool, StoreError> {
        let union = assetql_model::catalogue::asset_types()
            .map(|ty| {
                format!(
                    "SELECT 1 FROM {} WHERE tenant_id = $1 AND arn = $2",
                    ty.table
                )
            })
            .collect::<Vec<_>>()
            .join(" UNION ALL ");
        let mut conn = self.acquire("asset_exists").await?;
        let found = exec::fetch_i64(
            &mut conn,
            "asset_exists",
            &format!("SELECT CAST(count(*) AS BIGINT) FROM ({union}) AS found"),
            &[Value::text(tenant.as_str()), Value::text(identifier)],
        )
        .await?;
        Ok(found > 0)
    }
}

pub(crate) fn json_text<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| "null".to_owned())
}

/// A JSON column read back; NULL (a run recorded before the column existed) is empty.
fn from_json_text<T: serde::de::DeserializeOwned + Default>(
    column: &'static str,
    text: Option<String>,
) -> Result<T, StoreError> {
    match text {
        None => Ok(T::default()),
        Some(text) => serde_json::from_str(&text).map_err(|e| corrupt(column, e.to_string())),
    }
}

pub(crate) fn corrupt(column: &'static str, reason: impl Into<String>) -> StoreError {
    StoreError::Corrupt {
        column,
        reason: reason.into(),
    }
}

fn timestamp(column: &'static str, text: Option<String>) -> Result<DateTime<Utc>, StoreError> {
    let text = text.ok_or_else(|| corrupt(column, "NULL"))?;
    DateTime::parse_from_rfc3339(&text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| corrupt(column, format!("{text:?}: {e}")))
}

pub(crate) fn int(column: &'static str, text: Option<String>) -> Result<i64, StoreError> {
    let text = text.unwrap_or_default();
    text.parse()
        .map_err(|_| corrupt(column, format!("not an integer: {text:?}")))
}

impl Database {
    /// The newest runs of `control_id` (all controls when `None`), newest first, with findings.
    pub async fn control_runs(
        &self,
        tenant: &TenantId,
        control_id: Option<&str>,
        limit: u32,
    ) -> Result<Vec<ControlRun>, StoreError> {
        self.read_control_runs(tenant, control_id, limit, "", true)
            .await
    }

    /// [`Database::control_runs`] without the findings: each run carries its recorded counts
    /// (`failing_count`, `excepted_count`), for history views over many runs.
    pub async fn control_runs_without_findings(
        &self,
        tenant: &TenantId,
        control_id: Option<&str>,
        limit: u32,
    ) -> Result<Vec<ControlRun>, StoreError> {
        self.read_control_runs(tenant, control_id, limit, "", false)
            .await
    }

    /// The latest run of each control of `tenant`, with findings (what `controls` and
    /// `compliance` show, without reading the findings of older runs).
    pub async fn latest_control_runs(
        &self,
        tenant: &TenantId,
    ) -> Result<Vec<ControlRun>, StoreError> {
        self.read_control_runs(
            tenant,
            None,
            u32::MAX,
            "AND id IN (SELECT MAX(id) FROM control_runs WHERE tenant_id = $1 GROUP BY control_id)",
            true,
        )
        .await
    }

    async fn read_control_runs(
        &self,
        tenant: &TenantId,
        control_id: Option<&str>,
        limit: u32,
        condition: &str,
        with_findings: bool,
    ) -> Result<Vec<ControlRun>, StoreError> {
        let dialect = self.dialect();
        let sql = format!(
            "SELECT CAST(id AS TEXT), control_id, status, {started}, CAST(duration_ms AS TEXT), error, \
             CAST(sync_run_id AS TEXT), CAST(applicable AS TEXT), applicable_by_account, \
             newly_failing, fixed, stale_scopes, CAST(failing AS TEXT), CAST(excepted AS TEXT) \
             FROM control_runs WHERE tenant_id = $1 \
             AND ($2 IS NULL OR control_id = $2) {condition} ORDER BY started_at DESC, id DESC LIMIT $3",
            started = dialect.timestamp_as_text("started_at")
        );
        let mut conn = self.acquire("control_runs").await?;
        let rows = exec::fetch_text_rows(
            &mut conn,
            "control_runs",
            &sql,
            &[
                Value::text(tenant.as_str()),
                Value::Text(control_id.map(str::to_owned)),
                Value::Int(Some(i64::from(limit))),
            ],
        )
        .await?;
        let mut runs = Vec::with_capacity(rows.len());
        for row in rows {
            let [id, control, status, started, duration, error, sync, applicable, by_account, newly, fixed, stale, failing, excepted] =
                <[Option<String>; 14]>::try_from(row)
                    .map_err(|_| corrupt("control_runs", "column count"))?;
            runs.push(ControlRun {
                id: int("control_runs.id", id)?,
                control_id: control.unwrap_or_default(),
                status: status
                    .as_deref()
                    .and_then(ControlStatus::parse)
                    .ok_or_else(|| corrupt("control_runs.status", "unknown status"))?,
                started_at: timestamp("control_runs.started_at", started)?,
                duration_ms: int("control_runs.duration_ms", duration)?,
                error,
                sync_run_id: sync
                    .map(|s| int("control_runs.sync_run_id", Some(s)))
                    .transpose()?,
                findings: Vec::new(),
                applicable: applicable
                    .map(|n| int("control_runs.applicable", Some(n)))
                    .transpose()?,
                applicable_by_account: from_json_text(
                    "control_runs.applicable_by_account",
                    by_account,
                )?,
                newly_failing: from_json_text("control_runs.newly_failing", newly)?,
                fixed: from_json_text("control_runs.fixed", fixed)?,
                stale_scopes: from_json_text("control_runs.stale_scopes", stale)?,
                stored_counts: if with_findings {
                    None
                } else {
                    Some((
                        int("control_runs.failing", failing)?,
                        int("control_runs.excepted", excepted)?,
                    ))
                },
            });
        }
        if with_findings {
            for run in &mut runs {
                run.findings = Database::run_findings(&mut conn, tenant, run).await?;
            }
        }
        Ok(runs)
    }

    /// Claims the evaluation of `tenant`'s controls for the scheduler round starting at
    /// `round_start`; true when this caller got it.
    pub async fn claim_control_round(
        &self,
        tenant: &TenantId,
        round_start: DateTime<Utc>,
        worker: &str,
    ) -> Result<bool, StoreError> {
        self.ensure_tenant(tenant, tenant.as_str()).await?;
        let mut conn = self.acquire("claim_control_round").await?;
        let inserted = exec::execute(
            &mut conn,
            "claim_control_round",
            "INSERT INTO control_round_claims (tenant_id, round_start, worker, claimed_at) \
             VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
            &[
                Value::text(tenant.as_str()),
                Value::Timestamp(Some(round_start)),
                Value::text(worker),
                Value::Timestamp(Some(Utc::now())),
            ],
        )
        .await?;
        Ok(inserted == 1)
    }

    /// Stores a new exception; returns its id. Validation is the caller's.
    pub async fn create_control_exception(
        &self,
        tenant: &TenantId,
        exception: &ControlException,
    ) -> Result<i64, StoreError> {
        self.ensure_tenant(tenant, tenant.as_str()).await?;
        let mut tx = self.begin_write("create_control_exception").await?;
        let id = exec::fetch_i64(
            &mut tx,
            "create_control_exception",
            "INSERT INTO control_exceptions (tenant_id, control_id, asset_identifier, owner, reason, \
             expires_at, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
            &[
                Value::text(tenant.as_str()),
                Value::text(&exception.control_id),
                Value::text(&exception.asset_identifier),
                Value::text(&exception.owner),
                Value::text(&exception.reason),
                Value::Timestamp(Some(exception.expires_at)),
                Value::text(&exception.created_by),
                Value::Timestamp(Some(exception.created_at)),
            ],
        )
        .await?;
        exec::bump_generation(&mut tx, tenant.as_str()).await?;
        tx.commit("create_control_exception").await?;
        Ok(id)
    }

    /// Revokes an exception of `tenant`; false when there is no such active exception.
    pub async fn revoke_control_exception(
        &self,
        tenant: &TenantId,
        id: i64,
        at: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let mut tx = self.begin_write("revoke_control_exception").await?;
        let changed = exec::execute(
            &mut tx,
            "revoke_control_exception",
            "UPDATE control_exceptions SET revoked_at = $3 \
             WHERE tenant_id = $1 AND id = $2 AND revoked_at IS NULL",
            &[
                Value::text(tenant.as_str()),
                Value::Int(Some(id)),
                Value::Timestamp(Some(at)),
            ],
        )
        .await?;
        exec::bump_generation(&mut tx, tenant.as_str()).await?;
        tx.commit("revoke_control_exception").await?;
        Ok(changed == 1)
    }

    /// Every exception of `tenant` (active or not), oldest first.
    pub async fn control_exceptions(
        &self,
        tenant: &TenantId,
    ) -> Result<Vec<ControlException>, StoreError> {
        let d = self.dialect();
        let sql = format!(
            "SELECT CAST(id AS TEXT), control_id, asset_identifier, owner, reason, {}, created_by, {}, {} \
             FROM control_exceptions WHERE tenant_id = $1 ORDER BY id",
            d.timestamp_as_text("expires_at"),
            d.timestamp_as_text("created_at"),
            d.timestamp_as_text("revoked_at"),
        );
        let mut conn = self.acquire("control_exceptions").await?;
        let rows = exec::fetch_text_rows(
            &mut conn,
            "control_exceptions",
            &sql,
            &[Value::text(tenant.as_str())],
        )
        .await?;
        rows.into_iter()
            .map(|row| {
                let [id, control, asset, owner, reason, expires, by, created, revoked] =
                    <[Option<String>; 9]>::try_from(row)
                        .map_err(|_| corrupt("control_exceptions", "column count"))?;
                Ok(ControlException {
                    id: int("control_exceptions.id", id)?,
                    control_id: control.unwrap_or_default(),
                    asset_identifier: asset.unwrap_or_default(),
                    owner: owner.unwrap_or_default(),
                    reason: reason.unwrap_or_default(),
                    expires_at: timestamp("control_exceptions.expires_at", expires)?,
                    created_by: by.unwrap_or_default(),
                    created_at: timestamp("control_exceptions.created_at", created)?,
                    revoked_at: revoked
                        .map(|r| timestamp("control_exceptions.revoked_at", Some(r)))
                        .transpose()?,
                })
            })
            .collect()
    }
}
