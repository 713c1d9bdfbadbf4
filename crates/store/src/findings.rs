//! Recording a control run and its findings as spans (migration 0009): an asset failing a
//! control over consecutive decided runs is one row, opened by the first run that reported it
//! and closed by the first decided run that no longer does. A run whose findings equal the
//! previous decided run's (same digest) writes only its own row; one that differs writes only
//! what changed. What changed is computed here, in the transaction that records the run,
//! under a lock per tenant and control, so two runs of one control never interleave.

use std::collections::{BTreeMap, BTreeSet};

use assetql_model::TenantId;
use assetql_sql::Value;
use sha2::{Digest, Sha256};

use crate::controls::{corrupt, int, json_text, ControlRun, ControlStatus, Finding};
use crate::database::Database;
use crate::error::StoreError;
use crate::exec::{self, AsConn, Tx};

const SPAN_COLUMNS: [&str; 7] = [
    "tenant_id",
    "control_id",
    "asset_identifier",
    "id_from_provider",
    "asset_type",
    "excepted",
    "opened_run_id",
];

/// A run's findings, one per identifier (a query may return an asset twice, e.g. through
/// aliases: the first is kept).
fn distinct(findings: &[Finding]) -> BTreeMap<&str, &Finding> {
    let mut out = BTreeMap::new();
    for finding in findings {
        out.entry(finding.asset_identifier.as_str())
            .or_insert(finding);
    }
    out
}

/// A digest of the failing and excepted identifiers (what a span is).
fn digest(findings: &BTreeMap<&str, &Finding>) -> String {
    let mut hash = Sha256::new();
    for (identifier, finding) in findings {
        hash.update(identifier.as_bytes());
        hash.update(if finding.excepted { [0u8, 1] } else { [0u8, 0] });
    }
    hex::encode(hash.finalize())
}

/// The latest decided run of a control before this one: its id and findings digest.
async fn previous_decided(
    tx: &mut Tx,
    tenant: &TenantId,
    control_id: &str,
) -> Result<Option<(i64, Option<String>)>, StoreError> {
    let rows = exec::fetch_text_rows(
        tx,
        "record_control_run",
        "SELECT CAST(id AS TEXT), findings_digest FROM control_runs WHERE tenant_id = $1 \
         AND control_id = $2 AND status IN ('pass', 'fail') ORDER BY id DESC LIMIT 1",
        &[Value::text(tenant.as_str()), Value::text(control_id)],
    )
    .await?;
    let Some(mut row) = rows.into_iter().next() else {
        return Ok(None);
    };
    let digest = row.pop().flatten();
    let id = int("control_runs.id", row.pop().flatten())?;
    Ok(Some((id, digest)))
}

/// Identifier -> excepted of the open spans of a control.
async fn open_spans(
    tx: &mut Tx,
    tenant: &TenantId,
    control_id: &str,
) -> Result<BTreeMap<String, bool>, StoreError> {
    let rows = exec::fetch_text_rows(
        tx,
        "record_control_run",
        "SELECT asset_identifier, CASE WHEN excepted THEN 'true' ELSE 'false' END \
         FROM control_finding_spans WHERE tenant_id = $1 AND control_id = $2 \
         AND closed_run_id IS NULL",
        &[Value::text(tenant.as_str()), Value::text(control_id)],
    )
    .await?;
    Ok(rows
        .into_iter()
        .filter_map(|row| {
            let mut row = row.into_iter();
            let identifier = row.next().flatten()?;
            Some((identifier, row.next().flatten().as_deref() == Some("true")))
        })
        .collect())
}

/// What recording a decided run changes in the spans.
#[derive(Default)]
struct Change<'a> {
    digest: Option<String>,
    /// Identifiers whose open span closes.
    close: Vec<String>,
    /// Findings that open a span.
    open: Vec<&'a Finding>,
}

impl Database {
    /// Records a control run with its findings, atomically, and fills in its id and what
    /// changed since the previous decided run of the same control and tenant
    /// (`newly_failing`, `fixed`; both empty on a control's first decided run, where there is
    /// nothing to compare with). Returns the run id.
    pub async fn record_control_run(
        &self,
        tenant: &TenantId,
        run: &mut ControlRun,
    ) -> Result<i64, StoreError> {
        // SQLite: BEGIN IMMEDIATE takes the database's write lock now: runs never interleave.
        let mut tx = self.begin_write("record_control_run").await?;
        if matches!(tx, Tx::Postgres(_)) {
            exec::execute(
                &mut tx,
                "record_control_run",
                "SELECT pg_advisory_xact_lock(hashtextextended($1 || '/' || $2, 0))",
                &[Value::text(tenant.as_str()), Value::text(&run.control_id)],
            )
            .await?;
        }
        let decided = matches!(run.status, ControlStatus::Pass | ControlStatus::Fail);
        let findings = distinct(&run.findings);
        let mut change = Change::default();
        if decided {
            let now_digest = digest(&findings);
            match previous_decided(&mut tx, tenant, &run.control_id).await? {
                None => change.open = findings.values().copied().collect(),
                Some((_, Some(before))) if before == now_digest => {}
                Some(_) => {
                    let open = open_spans(&mut tx, tenant, &run.control_id).await?;
                    let failing_before: BTreeSet<&str> = open
                        .iter()
                        .filter(|(_, excepted)| !**excepted)
                        .map(|(id, _)| id.as_str())
                        .collect();
                    let failing_now: BTreeSet<&str> = findings
                        .values()
                        .filter(|f| !f.excepted)
                        .map(|f| f.asset_identifier.as_str())
                        .collect();
                    run.newly_failing = failing_now
                        .difference(&failing_before)
                        .map(|s| (*s).to_owned())
                        .collect();
                    run.fixed = failing_before
                        .difference(&failing_now)
                        .map(|s| (*s).to_owned())
                        .collect();
                    change.close = open
                        .iter()
                        .filter(|(id, excepted)| {
                            findings
                                .get(id.as_str())
                                .is_none_or(|f| f.excepted != **excepted)
                        })
                        .map(|(id, _)| id.clone())
                        .collect();
                    change.open = findings
                        .values()
                        .filter(|f| {
                            open.get(&f.asset_identifier)
                                .is_none_or(|excepted| *excepted != f.excepted)
                        })
                        .copied()
                        .collect();
                }
            }
            change.digest = Some(now_digest);
        }
        let failing = findings.values().filter(|f| !f.excepted).count();
        let id = exec::fetch_i64(
            &mut tx,
            "record_control_run",
            "INSERT INTO control_runs (tenant_id, control_id, status, started_at, duration_ms, \
             failing, excepted, error, sync_run_id, applicable, applicable_by_account, \
             newly_failing, fixed, findings_digest, stale_scopes) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING id",
            &[
                Value::text(tenant.as_str()),
                Value::text(&run.control_id),
                Value::text(run.status.as_str()),
                Value::Timestamp(Some(run.started_at)),
                Value::Int(Some(run.duration_ms)),
                Value::Int(Some(i64::try_from(failing).unwrap_or(i64::MAX))),
                Value::Int(Some(
                    i64::try_from(findings.len() - failing).unwrap_or(i64::MAX),
                )),
                Value::Text(run.error.clone()),
                Value::Int(run.sync_run_id),
                Value::Int(run.applicable),
                Value::Text(
                    run.applicable
                        .map(|_| json_text(&run.applicable_by_account)),
                ),
                Value::text(json_text(&run.newly_failing)),
                Value::text(json_text(&run.fixed)),
                Value::Text(change.digest.clone()),
                Value::text(json_text(&run.stale_scopes)),
            ],
        )
        .await?;
        close_spans(&mut tx, tenant, &run.control_id, id, change.close).await?;
        open_new_spans(&mut tx, tenant, &run.control_id, id, &change.open).await?;
        exec::bump_generation(&mut tx, tenant.as_str()).await?;
        tx.commit("record_control_run").await?;
        run.id = id;
        Ok(id)
    }

    /// The findings of a recorded run (none for error and no_data runs), by identifier.
    pub(crate) async fn run_findings(
        conn: &mut impl AsConn,
        tenant: &TenantId,
        run: &ControlRun,
    ) -> Result<Vec<Finding>, StoreError> {
        if !matches!(run.status, ControlStatus::Pass | ControlStatus::Fail) {
            return Ok(Vec::new());
        }
        let rows = exec::fetch_text_rows(
            conn,
            "control_runs",
            "SELECT asset_identifier, id_from_provider, asset_type, \
             CASE WHEN excepted THEN 'true' ELSE 'false' END FROM control_finding_spans \
             WHERE tenant_id = $1 AND control_id = $2 AND opened_run_id <= $3 \
             AND (closed_run_id IS NULL OR closed_run_id > $3) ORDER BY asset_identifier",
            &[
                Value::text(tenant.as_str()),
                Value::text(&run.control_id),
                Value::Int(Some(run.id)),
            ],
        )
        .await?;
        rows.into_iter()
            .map(|row| {
                let [identifier, provider_id, asset_type, excepted] =
                    <[Option<String>; 4]>::try_from(row)
                        .map_err(|_| corrupt("control_finding_spans", "column count"))?;
                Ok(Finding {
                    asset_identifier: identifier.unwrap_or_default(),
                    id_from_provider: provider_id,
                    asset_type,
                    excepted: excepted.as_deref() == Some("true"),
                })
            })
            .collect()
    }
}

/// Closes the open spans of `identifiers` at run `id`.
async fn close_spans(
    tx: &mut Tx,
    tenant: &TenantId,
    control_id: &str,
    id: i64,
    identifiers: Vec<String>,
) -> Result<(), StoreError> {
    if identifiers.is_empty() {
        return Ok(());
    }
    let list = match tx {
        Tx::Postgres(_) => "asset_identifier = ANY($4)",
        Tx::Sqlite(_) => "asset_identifier IN (SELECT value FROM json_each($4))",
    };
    exec::execute(
        tx,
        "record_control_run",
        &format!(
            "UPDATE control_finding_spans SET closed_run_id = $3 WHERE tenant_id = $1 \
             AND control_id = $2 AND closed_run_id IS NULL AND {list}"
        ),
        &[
            Value::text(tenant.as_str()),
            Value::text(control_id),
            Value::Int(Some(id)),
            Value::TextList(Some(identifiers)),
        ],
    )
    .await?;
    Ok(())
}

/// Opens a span at run `id` for each of `findings`.
async fn open_new_spans(
    tx: &mut Tx,
    tenant: &TenantId,
    control_id: &str,
    id: i64,
    findings: &[&Finding],
) -> Result<(), StoreError> {
    let row = |f: &Finding| {
        vec![
            Value::text(tenant.as_str()),
            Value::text(control_id),
            Value::text(&f.asset_identifier),
            Value::Text(f.id_from_provider.clone()),
            Value::Text(f.asset_type.clone()),
            Value::Bool(Some(f.excepted)),
            Value::Int(Some(id)),
        ]
    };
    match tx {
        // Column arrays (`columnar`): a first run at L opens 10^5 spans.
        Tx::Postgres(pg) => {
            let rows = findings.iter().map(|f| row(f)).collect();
            crate::columnar::insert(
                pg,
                "record_control_run",
                "control_finding_spans",
                &SPAN_COLUMNS,
                rows,
                "",
            )
            .await
        }
        Tx::Sqlite(_) => {
            for chunk in findings.chunks(1000) {
                let mut sql = format!(
                    "INSERT INTO control_finding_spans ({}) VALUES ",
                    SPAN_COLUMNS.join(", ")
                );
                let mut values = Vec::with_capacity(chunk.len() * SPAN_COLUMNS.len());
                for (i, finding) in chunk.iter().enumerate() {
                    if i > 0 {
                        sql.push_str(", ");
                    }
                    let n = values.len();
                    let marks: Vec<String> = (1..=SPAN_COLUMNS.len())
                        .map(|k| format!("${}", n + k))
                        .collect();
                    sql.push('(');
                    sql.push_str(&marks.join(", "));
                    sql.push(')');
                    values.extend(row(finding));
                }
                exec::execute(tx, "record_control_run", &sql, &values).await?;
            }
            Ok(())
        }
    }
}
