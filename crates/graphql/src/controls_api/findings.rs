//! `findings(controlId)`: the latest run's failing (and, when asked, excepted) assets, each with
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
    let runs = backend(request)?
        .database()
        .control_runs(&tenant, Some(&control), 1)
        .await
        .map_err(store_error)?;
    let findings: Vec<&Finding> = runs
        .first()
        .map(|r| {
            r.findings
                .iter()
                .filter(|f| include_excepted || !f.excepted)
                .collect()
        })
        .unwrap_or_default();

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
    for chunk in findings.chunks(PER_STATEMENT) {
        let query = AssetsQuery {
            types: types.clone(),
            tenant: request.tenant.clone(),
            filter: Some(Filter::Compare {
                field: identifier,
                op: ScalarOp::In,
                values: chunk
                    .iter()
                    .map(|f| assetql_sql::Value::text(&f.asset_identifier))
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
    let mut values: Vec<(u8, Value)> = findings
        .iter()
        .map(|f| {
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
            let mut value = finding_value(f);
            if let Value::Object(o) = &mut value {
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
            (rank, value)
        })
        .collect();
    values.sort_by_key(|(rank, _)| *rank);
    Ok(Some(FieldValue::value(Value::List(
        values.into_iter().map(|(_, v)| v).collect(),
    ))))
}
