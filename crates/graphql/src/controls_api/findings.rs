//! `findings(controlId, status)`: the latest run's failing (and, when asked, excepted) assets, and
//! the assets the control applies to that it did not report (PASS), each with
//! `internetExposed` and `environment`, exposed-and-production first (then exposed, then
//! production), and resolved to `Asset`s when `asset { … }` is selected — in statements of at
//! most [`PER_STATEMENT`] identifiers.

use super::*;

/// Identifiers per statement (each is a bound parameter; PostgreSQL takes at most 65,535).
const PER_STATEMENT: usize = 10_000;

pub(super) async fn findings(
    ctx: ResolverContext<'_>,
    syntax: QueryDialect,
) -> Result<Option<FieldValue<'_>>, Error> {
    let (request, tenant) = context(&ctx)?;
    let limits = ctx.data::<crate::limits::Limits>()?;
    let field = ctx.field();
    let args = arguments(&field)?;
    let control = string_arg(&args, "controlId").unwrap_or_default();
    let include_excepted = matches!(args.get("includeExcepted"), Some(Value::Boolean(true)));
    let wanted: Vec<String> = match args.get("status") {
        Some(Value::List(items)) => items
            .iter()
            .filter_map(|v| match v {
                Value::Enum(name) => Some(name.as_str().to_owned()),
                _ => None,
            })
            .collect(),
        _ if include_excepted => vec!["FAIL".to_owned(), "EXCEPTED".to_owned()],
        _ => vec!["FAIL".to_owned()],
    };
    let wants = |status: &str| wanted.iter().any(|w| w == status);
    // A misspelt control has no findings because it has no runs: that must not read as
    // "nothing fails"; nor may a control that never ran.
    if !backend(request)?.controls().iter().any(|c| c.id == control) {
        return Err(coded(
            format!("no control {control:?}"),
            ErrorCode::BadUserInput,
        ));
    }
    let runs = backend(request)?
        .database()
        .control_runs(&tenant, Some(&control), 1)
        .await
        .map_err(store_error)?;
    let Some(latest) = runs.first() else {
        return Err(coded(
            format!("no run of {control} yet: run it before listing its findings"),
            ErrorCode::NotFound,
        ));
    };
    // A run that did not decide (error, no data) reported nothing: its empty list would read
    // as "nothing fails", so nothing is known, failing or passing.
    if !matches!(latest.status, ControlStatus::Pass | ControlStatus::Fail) {
        return Err(coded(
            format!(
                "the latest run of {control} did not decide ({}): its findings are not known; \
                 run it again",
                latest.status.as_str()
            ),
            ErrorCode::NotFound,
        ));
    }
    let findings: Vec<&Finding> = latest
        .findings
        .iter()
        .filter(|f| wants(if f.excepted { "EXCEPTED" } else { "FAIL" }))
        .collect();
    // Passing assets: what the control applies to now, less what its latest run reported.
    let passing: Vec<Finding> = if wants("PASS") {
        let run = latest;
        // An asset synced after the run was never evaluated: it must not read as passing. So
        // passing assets are listed only while no sync of the tenant committed after the run.
        let synced = backend(request)?
            .database()
            .latest_successful_syncs(&tenant)
            .await
            .map_err(store_error)?;
        if synced
            .iter()
            .any(|(_, _, finished)| *finished > run.started_at)
        {
            return Err(coded(
                format!(
                    "the inventory changed after the latest run of {control}: run it again \
                     before listing passing assets"
                ),
                ErrorCode::NotFound,
            ));
        }
        let reported: std::collections::HashSet<&str> = run
            .findings
            .iter()
            .map(|f| f.asset_identifier.as_str())
            .collect();
        let reported_ids: Vec<String> = reported.iter().map(|id| (*id).to_owned()).collect();
        backend(request)?
            .applicable(&tenant, &control, &reported_ids)
            .await?
            .into_iter()
            .filter(|id| !reported.contains(id.as_str()))
            .map(|id| Finding {
                asset_identifier: id,
                id_from_provider: None,
                asset_type: None,
                excepted: false,
            })
            .collect()
    } else {
        Vec::new()
    };

    let asset_fields: Vec<_> = field
        .selection_set()
        .filter(|f| f.name() == "asset")
        .collect();
    let identifier = ASSET_INTERFACE
        .field("identifier")
        .expect("Asset has identifier");
    let mut types = Vec::new();
    for ty in asset_types() {
        let fields = asset_fields.iter().flat_map(|f| f.selection_set());
        let mut selected = selection(ty, syntax, limits, fields)?;
        let mut hidden = vec![assetql_sql::SelectionItem::Field {
            key: "__identifier".to_owned(),
            field: identifier,
        }];
        for (key, name) in [
            ("__exposed", "internetExposed"),
            ("__environment", "environment"),
            ("__idFromProvider", "idFromProvider"),
            ("__assetType", "internalAssetType"),
        ] {
            if let Some(field) = ty.field(name) {
                hidden.push(assetql_sql::SelectionItem::Field {
                    key: key.to_owned(),
                    field,
                });
            }
        }
        for (i, item) in hidden.into_iter().enumerate() {
            selected.items.insert(i, item);
        }
        types.push((ty, selected));
    }
    let mut assets: IndexMap<String, IndexMap<Name, Value>> = IndexMap::new();
    let listed: Vec<(&Finding, bool)> = findings
        .iter()
        .map(|f| (*f, false))
        .chain(passing.iter().map(|f| (f, true)))
        .collect();
    for chunk in listed.chunks(PER_STATEMENT) {
        let query = AssetsQuery {
            types: types.clone(),
            tenant: request.tenant.clone(),
            filter: Some(Filter::Compare {
                field: identifier,
                op: ScalarOp::In,
                values: chunk
                    .iter()
                    .map(|(f, _)| assetql_sql::Value::text(&f.asset_identifier))
                    .collect(),
            }),
            sort: Vec::new(),
            limit: None,
            offset: None,
            tagged: true,
        };
        let compiled = compile_assets(request.db.dialect(), &query).map_err(compile_error)?;
        if let Value::List(items) = crate::statement::run_for(
            request,
            &compiled.sql,
            &compiled.params,
            limits.query_timeout,
        )
        .await?
        {
            for item in items {
                if let Value::Object(mut object) = item {
                    if let Some(Value::String(id)) = object.shift_remove("__identifier") {
                        assets.insert(id, object);
                    }
                }
            }
        }
    }
    let mut values: Vec<(u8, Value)> = listed
        .iter()
        .map(|(f, pass)| {
            let mut asset = assets.get(&f.asset_identifier).cloned();
            let (exposed, environment) = match &mut asset {
                Some(object) => (
                    matches!(object.shift_remove("__exposed"), Some(Value::Boolean(true))),
                    match object.shift_remove("__environment") {
                        Some(Value::String(env)) => Some(env),
                        _ => None,
                    },
                ),
                None => (false, None),
            };
            let production = environment.as_deref() == Some("production");
            // A passing asset has no recorded finding: its provider id and type come from the
            // inventory.
            let described: Vec<(&str, Option<Value>)> = [
                ("idFromProvider", "__idFromProvider"),
                ("assetType", "__assetType"),
            ]
            .into_iter()
            .map(|(key, hidden)| (key, asset.as_mut().and_then(|o| o.shift_remove(hidden))))
            .collect();
            let mut value = finding_value(f);
            if let Value::Object(o) = &mut value {
                if *pass {
                    o.insert(Name::new("status"), Value::Enum(Name::new("PASS")));
                    for (key, found) in described {
                        if let Some(found) = found {
                            o.insert(Name::new(key), found);
                        }
                    }
                }
                o.insert(Name::new("internetExposed"), Value::Boolean(exposed));
                o.insert(
                    Name::new("environment"),
                    environment.map_or(Value::Null, Value::String),
                );
                if !asset_fields.is_empty() {
                    if let Some(asset) = asset {
                        o.insert(Name::new("asset"), Value::Object(asset));
                    }
                }
            }
            // Exposed and production first, then exposed, then production; the run's order
            // (by identifier) within each.
            let rank = match (exposed, production) {
                (true, true) => 0,
                (true, false) => 1,
                (false, true) => 2,
                (false, false) => 3,
            };
            // Failing first, then excepted, then passing; by exposure within each.
            let group = match (*pass, f.excepted) {
                (false, false) => 0,
                (false, true) => 4,
                (true, _) => 8,
            };
            (group + rank, value)
        })
        .collect();
    values.sort_by_key(|(rank, _)| *rank);
    Ok(Some(FieldValue::value(Value::List(
        values.into_iter().map(|(_, v)| v).collect(),
    ))))
}
