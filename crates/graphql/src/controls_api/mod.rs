//! The controls API: `controls`, `controlRuns`, `findings` (failing assets resolved to `Asset`s
//! in one statement), `exceptions`; mutations `createControlException`,
//! `revokeControlException`, `runControls`. The catalogue and the runner live in the controls
//! crate, which implements [`ControlsBackend`]; this crate only knows the trait.

use assetql_model::ErrorCode;

use assetql_model::catalogue::{asset_types, ASSET_INTERFACE};
use assetql_model::TenantId;
use assetql_sql::{compile_assets, AssetsQuery, Filter, QueryDialect, ScalarOp, TYPE_KEY};
use assetql_store::{ControlException, ControlRun, ControlStatus, Finding};
use async_graphql::dynamic::{FieldFuture, FieldValue, ResolverContext};
use async_graphql::indexmap::IndexMap;
use async_graphql::{Error, Name, Value};
use chrono::{DateTime, Utc};

use crate::context::{ControlSummary, ControlsBackend, RequestContext};
use crate::error::{coded, compile_error, store_error};
use crate::resolve::{arguments, selection};

mod findings;
mod schema;

use findings::findings;

pub(crate) use schema::{mutation, queries, types};

fn time(at: &DateTime<Utc>) -> Value {
    Value::String(assetql_sql::format_timestamp(at))
}

fn object(pairs: Vec<(&str, Value)>) -> Value {
    Value::Object(pairs.into_iter().map(|(k, v)| (Name::new(k), v)).collect())
}

fn opt_string(value: Option<&str>) -> Value {
    value.map_or(Value::Null, |s| Value::String(s.to_owned()))
}

fn finding_value(finding: &Finding) -> Value {
    object(vec![
        (
            "assetIdentifier",
            Value::String(finding.asset_identifier.clone()),
        ),
        (
            "idFromProvider",
            opt_string(finding.id_from_provider.as_deref()),
        ),
        ("assetType", opt_string(finding.asset_type.as_deref())),
        ("excepted", Value::Boolean(finding.excepted)),
        (
            "status",
            Value::Enum(Name::new(if finding.excepted {
                "EXCEPTED"
            } else {
                "FAIL"
            })),
        ),
    ])
}

fn run_value(run: &ControlRun) -> Value {
    let failing = run.failing_count();
    object(vec![
        ("id", Value::String(run.id.to_string())),
        ("controlId", Value::String(run.control_id.clone())),
        (
            "status",
            Value::Enum(async_graphql::Name::new(run.status.as_str())),
        ),
        ("startedAt", time(&run.started_at)),
        ("durationMs", Value::from(run.duration_ms)),
        ("failingCount", Value::from(failing)),
        ("exceptedCount", Value::from(run.excepted_count())),
        (
            "applicableCount",
            run.applicable.map_or(Value::Null, Value::from),
        ),
        ("compliancePercent", percent(run.compliance_percent())),
        (
            "newlyFailing",
            Value::List(
                run.newly_failing
                    .iter()
                    .cloned()
                    .map(Value::String)
                    .collect(),
            ),
        ),
        (
            "fixed",
            Value::List(run.fixed.iter().cloned().map(Value::String).collect()),
        ),
        (
            "accounts",
            Value::List(
                run.by_account()
                    .into_iter()
                    .map(|(account, (applicable, failing))| {
                        account_value(account, applicable, failing)
                    })
                    .collect(),
            ),
        ),
        (
            "staleScopes",
            Value::List(
                run.stale_scopes
                    .iter()
                    .map(|scope| {
                        object(vec![
                            (
                                "cloudAccountId",
                                Value::String(scope.cloud_account_id.clone()),
                            ),
                            ("region", Value::String(scope.region.clone())),
                            ("lastSyncedAt", time(&scope.last_synced_at)),
                        ])
                    })
                    .collect(),
            ),
        ),
        ("error", opt_string(run.error.as_deref())),
        (
            "syncRunId",
            run.sync_run_id.map_or(Value::Null, Value::from),
        ),
        (
            "findings",
            Value::List(run.findings.iter().map(finding_value).collect()),
        ),
    ])
}

fn percent(value: Option<f64>) -> Value {
    value
        .and_then(|p| async_graphql::Number::from_f64((p * 100.0).round() / 100.0))
        .map_or(Value::Null, Value::Number)
}

/// Applicable and failing counts of one account, with the share passing.
fn account_value(account: String, applicable: i64, failing: i64) -> Value {
    let share =
        (applicable > 0).then(|| 100.0 * (applicable - failing).max(0) as f64 / applicable as f64);
    object(vec![
        ("cloudAccountId", Value::String(account)),
        ("applicable", Value::from(applicable)),
        ("failing", Value::from(failing)),
        ("compliancePercent", percent(share)),
    ])
}

/// `compliance`: over the latest run of each control, the asset-control pairs evaluated and
/// failing, overall and per account. Runs whose applicable count is unknown (error, no_data)
/// are left out and counted in `unknownControls`.
async fn compliance(ctx: ResolverContext<'_>) -> Result<Option<FieldValue<'_>>, Error> {
    let (request, tenant) = context(&ctx)?;
    let backend = backend(request)?;
    let runs = latest_runs(backend, &tenant).await?;
    let (mut applicable, mut failing, mut unknown) = (0i64, 0i64, 0i64);
    let mut accounts: std::collections::BTreeMap<String, (i64, i64)> = Default::default();
    for control in backend.controls() {
        let Some(run) = runs.iter().find(|r| r.control_id == control.id) else {
            unknown += 1;
            continue;
        };
        let Some(count) = run.applicable else {
            unknown += 1;
            continue;
        };
        applicable += count;
        failing += i64::try_from(run.failing().count()).unwrap_or(i64::MAX);
        for (account, (a, f)) in run.by_account() {
            let entry = accounts.entry(account).or_default();
            entry.0 += a;
            entry.1 += f;
        }
    }
    let share =
        (applicable > 0).then(|| 100.0 * (applicable - failing).max(0) as f64 / applicable as f64);
    let value = object(vec![
        ("applicable", Value::from(applicable)),
        ("failing", Value::from(failing)),
        ("compliancePercent", percent(share)),
        ("unknownControls", Value::from(unknown)),
        (
            "accounts",
            Value::List(
                accounts
                    .into_iter()
                    .map(|(account, (a, f))| account_value(account, a, f))
                    .collect(),
            ),
        ),
    ]);
    Ok(Some(FieldValue::value(value)))
}

fn exception_value(e: &ControlException, now: DateTime<Utc>) -> Value {
    object(vec![
        ("id", Value::String(e.id.to_string())),
        ("controlId", Value::String(e.control_id.clone())),
        ("assetIdentifier", Value::String(e.asset_identifier.clone())),
        ("owner", Value::String(e.owner.clone())),
        ("reason", Value::String(e.reason.clone())),
        ("expiresAt", time(&e.expires_at)),
        ("createdBy", Value::String(e.created_by.clone())),
        ("createdAt", time(&e.created_at)),
        ("revokedAt", e.revoked_at.as_ref().map_or(Value::Null, time)),
        ("active", Value::Boolean(e.is_active(now))),
    ])
}

fn summary_value(c: &ControlSummary, latest: Option<&ControlRun>) -> Value {
    object(vec![
        ("id", Value::String(c.id.clone())),
        ("title", Value::String(c.title.clone())),
        ("description", Value::String(c.description.clone())),
        ("severity", Value::String(c.severity.clone())),
        (
            "assetTypes",
            Value::List(c.asset_types.iter().cloned().map(Value::String).collect()),
        ),
        ("check", Value::String(c.check.clone())),
        ("enabled", Value::Boolean(c.enabled)),
        ("supported", Value::Boolean(c.supported)),
        ("latestRun", latest.map_or(Value::Null, run_value)),
    ])
}

/// Resolves a field from the parent's JSON object by its field name.
fn by_name(ctx: ResolverContext<'_>) -> FieldFuture<'_> {
    let name = ctx.field().name();
    let value = match ctx.parent_value.as_value() {
        Some(Value::Object(o)) => o.get(name).cloned(),
        _ => None,
    };
    FieldFuture::from_value(value.filter(|v| *v != Value::Null))
}

/// `Finding.asset`: the asset attached by the `findings` root field, typed by its `__type`.
fn finding_asset(ctx: ResolverContext<'_>) -> FieldFuture<'_> {
    let asset = match ctx.parent_value.as_value() {
        Some(Value::Object(o)) => o.get("asset").cloned(),
        _ => None,
    };
    FieldFuture::new(async move {
        let Some(Value::Object(mut asset)) = asset else {
            return Ok(None);
        };
        let ty = match asset.shift_remove(TYPE_KEY) {
            Some(Value::String(ty)) => ty,
            _ => return Ok(None),
        };
        Ok(Some(FieldValue::value(Value::Object(asset)).with_type(ty)))
    })
}

fn context<'a>(ctx: &ResolverContext<'a>) -> Result<(&'a RequestContext, TenantId), Error> {
    let request = ctx.data::<RequestContext>()?;
    Ok((request, request.tenant.clone()))
}

fn backend(request: &RequestContext) -> Result<&dyn ControlsBackend, Error> {
    request.controls.as_deref().ok_or_else(|| {
        coded(
            "stored controls are not configured on this server",
            ErrorCode::NotConfigured,
        )
    })
}

fn string_arg(args: &crate::resolve::Args, name: &str) -> Option<String> {
    match args.get(name) {
        Some(Value::String(s)) => Some(s.clone()),
        _ => None,
    }
}

fn int_arg(args: &crate::resolve::Args, name: &str, default: i64, max: i64) -> Result<i64, Error> {
    match args.get(name) {
        None | Some(Value::Null) => Ok(default),
        Some(Value::Number(n)) => match n.as_i64() {
            Some(n) if (0..=max).contains(&n) => Ok(n),
            _ => Err(coded(
                format!("{name} must be between 0 and {max}"),
                ErrorCode::BadUserInput,
            )),
        },
        Some(_) => Err(coded(
            format!("{name} must be an integer"),
            ErrorCode::BadUserInput,
        )),
    }
}

/// The latest run of each control of the tenant.
async fn latest_runs(
    backend: &dyn ControlsBackend,
    tenant: &TenantId,
) -> Result<Vec<ControlRun>, Error> {
    backend
        .database()
        .latest_control_runs(tenant)
        .await
        .map_err(store_error)
}

async fn controls(ctx: ResolverContext<'_>) -> Result<Option<FieldValue<'_>>, Error> {
    let (request, tenant) = context(&ctx)?;
    let backend = backend(request)?;
    let runs = latest_runs(backend, &tenant).await?;
    let values = backend
        .controls()
        .iter()
        .map(|c| summary_value(c, runs.iter().find(|r| r.control_id == c.id)))
        .collect();
    Ok(Some(FieldValue::value(Value::List(values))))
}

/// `[{startedAt: DESC}, …]` as (field, descending) pairs, in order.
fn run_sort(value: Option<&Value>) -> Vec<(String, bool)> {
    let Some(Value::List(items)) = value else {
        return Vec::new();
    };
    let mut keys = Vec::new();
    for item in items {
        if let Value::Object(object) = item {
            for (name, direction) in object {
                let descending = matches!(direction, Value::Enum(d) if d.as_str() == "DESC");
                keys.push((name.to_string(), descending));
            }
        }
    }
    keys
}

async fn control_runs(ctx: ResolverContext<'_>) -> Result<Option<FieldValue<'_>>, Error> {
    let (request, tenant) = context(&ctx)?;
    let args = arguments(&ctx.field())?;
    let limit = int_arg(&args, "limit", 20, 1000)?;
    let offset = int_arg(&args, "offset", 0, 1_000_000)?;
    let control = string_arg(&args, "controlId");
    let sort = run_sort(args.get("sort"));
    // Newest first needs only the page; another order sorts the newest 10,000 runs.
    let fetch = if sort.is_empty() {
        u32::try_from(limit + offset).unwrap_or(u32::MAX)
    } else {
        10_000
    };
    // A history view (counts, statuses) does not read each run's findings; `findings` and the
    // per-account figures need them.
    let look = ctx.look_ahead();
    let with_findings = look.field("findings").exists() || look.field("accounts").exists();
    let database = backend(request)?.database();
    let mut runs = if with_findings {
        database
            .control_runs(&tenant, control.as_deref(), fetch)
            .await
    } else {
        database
            .control_runs_without_findings(&tenant, control.as_deref(), fetch)
            .await
    }
    .map_err(store_error)?;
    if !sort.is_empty() {
        runs.sort_by(|a, b| {
            sort.iter()
                .map(|(key, descending)| {
                    let order = match key.as_str() {
                        "controlId" => a.control_id.cmp(&b.control_id),
                        "status" => a.status.as_str().cmp(b.status.as_str()),
                        "durationMs" => a.duration_ms.cmp(&b.duration_ms),
                        "failingCount" => a.failing_count().cmp(&b.failing_count()),
                        _ => (a.started_at, a.id).cmp(&(b.started_at, b.id)),
                    };
                    if *descending {
                        order.reverse()
                    } else {
                        order
                    }
                })
                .find(|o| o.is_ne())
                .unwrap_or(std::cmp::Ordering::Equal)
        });
    }
    let values = runs
        .iter()
        .skip(usize::try_from(offset).unwrap_or(0))
        .take(usize::try_from(limit).unwrap_or(usize::MAX))
        .map(run_value)
        .collect();
    Ok(Some(FieldValue::value(Value::List(values))))
}

/// `findings(controlId)`: the latest run's findings, each with its asset resolved in one
/// statement (a UNION over the asset types, filtered by identifier).
async fn exceptions(ctx: ResolverContext<'_>) -> Result<Option<FieldValue<'_>>, Error> {
    let (request, tenant) = context(&ctx)?;
    let args = arguments(&ctx.field())?;
    let control = string_arg(&args, "controlId");
    let active_only = matches!(args.get("active"), Some(Value::Boolean(true)));
    let now = Utc::now();
    let all = backend(request)?
        .database()
        .control_exceptions(&tenant)
        .await
        .map_err(store_error)?;
    let values = all
        .iter()
        .filter(|e| control.as_ref().is_none_or(|c| *c == e.control_id))
        .filter(|e| !active_only || e.is_active(now))
        .map(|e| exception_value(e, now))
        .collect();
    Ok(Some(FieldValue::value(Value::List(values))))
}

async fn create_exception(ctx: ResolverContext<'_>) -> Result<Option<FieldValue<'_>>, Error> {
    let (request, tenant) = context(&ctx)?;
    let backend = backend(request)?;
    let args = arguments(&ctx.field())?;
    let text = |name: &str| string_arg(&args, name).unwrap_or_default();
    let expires = DateTime::parse_from_rfc3339(&text("expiresAt"))
        .map_err(|_| {
            coded(
                "expiresAt must be an RFC 3339 date-time",
                ErrorCode::BadUserInput,
            )
        })?
        .with_timezone(&Utc);
    let created_by = format!("api:{}", request.tenant);
    let exception = backend
        .create_exception(
            &tenant,
            &text("controlId"),
            &text("assetIdentifier"),
            &text("owner"),
            &text("reason"),
            expires,
            &created_by,
        )
        .await?;
    Ok(Some(FieldValue::value(exception_value(
        &exception,
        Utc::now(),
    ))))
}

async fn revoke_exception(ctx: ResolverContext<'_>) -> Result<Option<FieldValue<'_>>, Error> {
    let (request, tenant) = context(&ctx)?;
    let args = arguments(&ctx.field())?;
    // An ID input accepts an integer literal as well as a string (GraphQL spec, 3.5.5).
    let id: Option<i64> = match args.get("id") {
        Some(Value::Number(n)) => n.as_i64(),
        _ => string_arg(&args, "id").and_then(|id| id.parse().ok()),
    };
    let id = id.ok_or_else(|| coded("id must be an exception id", ErrorCode::BadUserInput))?;
    // Writes go through the backend's (writer) database; the request's may be read-only.
    let revoked = backend(request)?.revoke_exception(&tenant, id).await?;
    Ok(Some(FieldValue::value(Value::Boolean(revoked))))
}

async fn run_controls(ctx: ResolverContext<'_>) -> Result<Option<FieldValue<'_>>, Error> {
    let (request, tenant) = context(&ctx)?;
    let backend = backend(request)?;
    let args = arguments(&ctx.field())?;
    let control = string_arg(&args, "controlId");
    let region = string_arg(&args, "region");
    let resync = match args.get("resync") {
        Some(Value::Boolean(true)) => Some(crate::context::ResyncScope {
            account: string_arg(&args, "cloudAccountId"),
            region: region.clone(),
        }),
        _ if region.is_some() => {
            return Err(crate::error::coded(
                "region narrows a re-scan: it needs resync: true",
                ErrorCode::BadUserInput,
            ))
        }
        _ => None,
    };
    let mut runs = backend.run(&tenant, control.as_deref(), resync).await?;
    // Re-scan after remediation in one account: the runs are recorded for the whole tenant,
    // and the answer shows that account's findings.
    // An account never synced (or misspelt) has no data: its empty slice is not a pass.
    if let Some(account) = string_arg(&args, "cloudAccountId") {
        let synced = backend
            .database()
            .synced_asset_types(&tenant, Some(&account))
            .await
            .map_err(crate::error::store_error)?;
        for run in &mut runs {
            run.findings.retain(|f| {
                f.id_from_provider
                    .as_deref()
                    .and_then(|arn| arn.split(':').nth(4))
                    .is_some_and(|a| a == account)
            });
            let evaluated = matches!(run.status, ControlStatus::Pass | ControlStatus::Fail);
            if evaluated && synced.is_empty() {
                run.status = ControlStatus::NoData;
                run.error = Some(format!(
                    "no successful sync of account {account} for this tenant yet"
                ));
            } else if run.status == ControlStatus::Fail && run.failing().next().is_none() {
                run.status = ControlStatus::Pass;
            }
        }
    }
    Ok(Some(FieldValue::value(Value::List(
        runs.iter().map(run_value).collect(),
    ))))
}
