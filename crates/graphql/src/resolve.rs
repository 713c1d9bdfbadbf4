//! Root-field resolvers: arguments and the look-ahead selection become a `ListQuery`, which is
//! compiled to one statement and executed; nested fields then read from the returned JSON.

use assetql_model::catalogue::{asset_types, Cardinality, TypeDef, ASSET_INTERFACE};
use assetql_model::ErrorCode;
use assetql_sql::{
    compile_assets, compile_count, compile_list, parse_where, AssetsQuery, CompileError,
    CompiledQuery, Filter, ListQuery, QueryDialect, Selection, SelectionItem, SortKey, TYPE_KEY,
};
use async_graphql::dynamic::{FieldValue, ResolverContext};
use async_graphql::indexmap::IndexMap;
use async_graphql::{Error, Name, SelectionField, Value};

use crate::connection::ConnectionShape;
use crate::context::RequestContext;
use crate::error::{coded, compile_error};
use crate::statement::{run_for, run_text_for};
use crate::warning::{Truncated, Warnings};

pub(crate) type Args = IndexMap<Name, Value>;

pub(crate) fn arguments(field: &SelectionField<'_>) -> Result<Args, Error> {
    Ok(field
        .arguments()
        .map_err(|e| Error::new(e.message))?
        .into_iter()
        .collect())
}

/// `value` as JSON (enum values as strings), without copying it first.
fn json_of(value: &Value) -> serde_json::Value {
    use serde_json::Value as Json;
    match value {
        Value::Null => Json::Null,
        Value::Number(n) => Json::Number(n.clone()),
        Value::String(s) => Json::String(s.clone()),
        Value::Boolean(b) => Json::Bool(*b),
        Value::Enum(name) => Json::String(name.to_string()),
        Value::List(items) => Json::Array(items.iter().map(json_of).collect()),
        Value::Object(fields) => Json::Object(
            fields
                .iter()
                .map(|(k, v)| (k.to_string(), json_of(v)))
                .collect(),
        ),
        Value::Binary(_) => value.clone().into_json().unwrap_or(Json::Null),
    }
}

pub(crate) fn filter_arg(
    ty: &'static TypeDef,
    syntax: QueryDialect,
    args: &Args,
    limits: &crate::limits::Limits,
) -> Result<Option<Filter>, Error> {
    let Some(value) = args.get("where") else {
        return Ok(None);
    };
    checked_filter(ty, syntax, &json_of(value), limits)
}

/// A `where` argument (as JSON) parsed for `ty` in `syntax`, held to `limits` before and after
/// parsing: what every root field and the runner's applicable counts use.
pub(crate) fn checked_filter(
    ty: &'static TypeDef,
    syntax: QueryDialect,
    json: &serde_json::Value,
    limits: &crate::limits::Limits,
) -> Result<Option<Filter>, Error> {
    crate::limits::check_input(json, limits)?;
    let filter = parse_where(ty, syntax, json).map_err(compile_error)?;
    if let Some(filter) = &filter {
        crate::limits::check_filter(filter, limits)?;
    }
    Ok(filter)
}

pub(crate) fn non_negative(value: Option<&Value>, argument: &str) -> Result<Option<u64>, Error> {
    match value {
        None | Some(Value::Null) => Ok(None),
        // GraphQL's Int is 32 bits: a larger number is refused, not clamped. 0 asks for no rows.
        Some(Value::Number(n)) => match n.as_i64() {
            Some(n) if n > i64::from(i32::MAX) => Err(compile_error(CompileError::BadArgument {
                argument: argument.to_owned(),
                reason: format!("{n} is larger than GraphQL's Int allows ({})", i32::MAX),
            })),
            Some(n) if n >= 0 => Ok(Some(n.unsigned_abs())),
            _ => Err(compile_error(CompileError::BadArgument {
                argument: argument.to_owned(),
                reason: "must be a non-negative integer".to_owned(),
            })),
        },
        Some(_) => Err(compile_error(CompileError::BadArgument {
            argument: argument.to_owned(),
            reason: "must be an integer".to_owned(),
        })),
    }
}

/// Sort keys from `[{field: ASC|DESC}]` (a single object stands for a one-item list, as
/// GraphQL's input coercion has it); several keys in one object apply in schema field order.
pub(crate) fn sort_arg(ty: &'static TypeDef, value: Option<&Value>) -> Result<Vec<SortKey>, Error> {
    let items = match value {
        None | Some(Value::Null) => return Ok(Vec::new()),
        Some(Value::List(items)) => items.as_slice(),
        Some(single) => std::slice::from_ref(single),
    };
    let mut keys = Vec::new();
    for item in items {
        let Value::Object(object) = item else {
            return Err(compile_error(CompileError::BadArgument {
                argument: "sort".to_owned(),
                reason: format!("each item must be an object such as {{arn: ASC}}, not {item}"),
            }));
        };
        for field in ty.all_fields() {
            let Some(direction) = object.get(field.name) else {
                continue;
            };
            let descending = match direction {
                Value::Enum(name) => name.as_str() == "DESC",
                Value::String(text) => text == "DESC",
                _ => false,
            };
            keys.push(SortKey { field, descending });
        }
    }
    Ok(keys)
}

struct Paging {
    limit: Option<u64>,
    offset: Option<u64>,
    sort: Vec<SortKey>,
}

fn paging(ty: &'static TypeDef, syntax: QueryDialect, args: &Args) -> Result<Paging, Error> {
    match syntax {
        QueryDialect::Legacy => {
            let options = match args.get("options") {
                Some(Value::Object(options)) => Some(options),
                _ => None,
            };
            Ok(Paging {
                limit: non_negative(options.and_then(|o| o.get("limit")), "options.limit")?,
                offset: non_negative(options.and_then(|o| o.get("offset")), "options.offset")?,
                sort: sort_arg(ty, options.and_then(|o| o.get("sort")))?,
            })
        }
        QueryDialect::Current => Ok(Paging {
            limit: non_negative(args.get("limit"), "limit")?,
            offset: non_negative(args.get("offset"), "offset")?,
            sort: sort_arg(ty, args.get("sort"))?,
        }),
    }
}

/// The selection of `fields` (a selection set, fragments flattened) on `ty`; repeated response
/// keys merge their sub-selections as GraphQL field merging requires.
pub(crate) fn selection<'a>(
    ty: &'static TypeDef,
    syntax: QueryDialect,
    limits: &crate::limits::Limits,
    fields: impl Iterator<Item = SelectionField<'a>>,
) -> Result<Selection, Error> {
    let mut out = Selection::default();
    for field in fields {
        let name = field.name();
        let key = field.alias().unwrap_or(name).to_owned();
        if name == "__typename" {
            // A constant in the row's JSON, so that raw answers can carry it (clients such as
            // Apollo add it to every selection); the executor answers it itself otherwise.
            if !out.items.iter().any(|i| i.key() == key) {
                out.items.push(SelectionItem::TypeName { key });
            }
        } else if let Some(definition) = ty.field(name) {
            let seen = out.items.iter().any(|i| {
                matches!(
                    i,
                    SelectionItem::Field { .. } | SelectionItem::TypeName { .. }
                ) && i.key() == key
            });
            if !seen {
                out.items.push(SelectionItem::Field {
                    key,
                    field: definition,
                });
            }
        } else if let Some(relationship) = ty.relationship(name) {
            let target = TypeDef::target(relationship);
            let nested = selection(target, syntax, limits, field.selection_set())?;
            let existing = out.items.iter_mut().find_map(|item| match item {
                SelectionItem::Relationship {
                    key: k, selection, ..
                } if *k == key => Some(selection),
                _ => None,
            });
            if let Some(existing) = existing {
                merge(existing, nested);
                continue;
            }
            let args = arguments(&field)?;
            let (filter, paging) = match relationship.cardinality {
                Cardinality::Many => (
                    filter_arg(target, syntax, &args, limits)?,
                    paging(target, syntax, &args)?,
                ),
                Cardinality::One => (
                    None,
                    Paging {
                        limit: None,
                        offset: None,
                        sort: Vec::new(),
                    },
                ),
            };
            out.items.push(SelectionItem::Relationship {
                key,
                relationship,
                filter,
                sort: paging.sort,
                limit: paging.limit,
                offset: paging.offset,
                selection: nested,
            });
        }
    }
    Ok(out)
}

fn merge(into: &mut Selection, from: Selection) {
    for item in from.items {
        let existing = into.items.iter_mut().find(|i| i.key() == item.key());
        match (existing, item) {
            (None, item) => into.items.push(item),
            (
                Some(SelectionItem::Relationship { selection: a, .. }),
                SelectionItem::Relationship { selection: b, .. },
            ) => merge(a, b),
            (Some(_), _) => {}
        }
    }
}

/// `ecsTaskDefinitions(where, …)`.
pub(crate) async fn list<'a>(
    ctx: ResolverContext<'a>,
    ty: &'static TypeDef,
    syntax: QueryDialect,
) -> Result<Option<FieldValue<'a>>, Error> {
    let request = ctx.data::<RequestContext>()?;
    let limits = ctx.data::<crate::limits::Limits>()?;
    let field = ctx.field();
    let args = arguments(&field)?;
    let paging = paging(ty, syntax, &args)?;
    let (limit, cap) = crate::limits::list_limit(paging.limit, limits, request.unpaged)?;
    let query = ListQuery {
        ty,
        tenant: request.tenant.clone(),
        filter: filter_arg(ty, syntax, &args, limits)?,
        sort: paging.sort,
        limit,
        offset: paging.offset,
        after: None,
        selection: selection(ty, syntax, limits, field.selection_set())?,
    };
    let compiled = compile_list(request.db.dialect(), &query).map_err(compile_error)?;
    let warnings = ctx.data_opt::<std::sync::Arc<Warnings>>();
    if let Some(raw) = ctx.data_opt::<std::sync::Arc<crate::raw::RawParts>>() {
        // The database's JSON is the answer: no parse, no per-field resolution.
        let statement = RawStatement {
            compiled,
            shape: None,
            cap,
        };
        return raw_list(raw, request, &field, statement, warnings, limits).await;
    }
    let value = run_for(
        request,
        &compiled.sql,
        &compiled.params,
        limits.query_timeout,
    )
    .await?;
    Ok(Some(FieldValue::value(cut(value, cap, &field, warnings))))
}

/// `value` cut at `cap` items when it has more (the warning then says so).
fn cut(
    value: Value,
    cap: Option<u64>,
    field: &SelectionField<'_>,
    warnings: Option<&std::sync::Arc<Warnings>>,
) -> Value {
    match (value, cap) {
        (Value::List(mut items), Some(cap)) if items.len() as u64 > cap => {
            items.truncate(usize::try_from(cap).unwrap_or(usize::MAX));
            if let Some(warnings) = warnings {
                warnings.push(Truncated {
                    field: field.alias().unwrap_or(field.name()).to_owned(),
                    limit: cap,
                });
            }
            Value::List(items)
        }
        (value, _) => value,
    }
}

/// A root list field answered with its statement's JSON text (handed to the request's raw
/// parts); the executor gets an empty list in its place.
async fn raw_list<'a>(
    raw: &crate::raw::RawParts,
    request: &RequestContext,
    field: &SelectionField<'_>,
    statement: RawStatement,
    warnings: Option<&std::sync::Arc<Warnings>>,
    limits: &crate::limits::Limits,
) -> Result<Option<FieldValue<'a>>, Error> {
    run_raw(
        raw,
        request,
        field,
        statement,
        warnings,
        limits.query_timeout,
    )
    .await?;
    Ok(Some(FieldValue::list(Vec::<FieldValue<'_>>::new())))
}

/// A root field's compiled statement and how its text becomes the answer.
pub(crate) struct RawStatement {
    pub(crate) compiled: CompiledQuery,
    pub(crate) shape: Option<std::sync::Arc<ConnectionShape>>,
    pub(crate) cap: Option<u64>,
}

/// Runs a root field's statement and hands its answer, as text, to the request's raw parts
/// (with the statement, for the plan cache).
pub(crate) async fn run_raw(
    raw: &crate::raw::RawParts,
    request: &RequestContext,
    field: &SelectionField<'_>,
    statement: RawStatement,
    warnings: Option<&std::sync::Arc<Warnings>>,
    timeout: std::time::Duration,
) -> Result<(), Error> {
    let planned = crate::plan_cache::PlannedField {
        key: field.alias().unwrap_or(field.name()).to_owned(),
        sql: statement.compiled.sql,
        params: statement.compiled.params,
        shape: statement.shape,
        cap: statement.cap,
    };
    if raw.dry_run {
        return raw.push(planned, String::new());
    }
    let text = run_text_for(request, &planned.sql, &planned.params, timeout).await?;
    let (answer, truncated) = planned.answer(text).map_err(|_| {
        coded(
            "internal error while reading the result",
            ErrorCode::Internal,
        )
    })?;
    if let (Some(truncated), Some(warnings)) = (truncated, warnings) {
        warnings.push(truncated);
    }
    raw.push(planned, answer)
}

/// `ecsTaskDefinitionsAggregate(where) { count }` (legacy).
pub(crate) async fn aggregate<'a>(
    ctx: ResolverContext<'a>,
    ty: &'static TypeDef,
    syntax: QueryDialect,
) -> Result<Option<FieldValue<'a>>, Error> {
    let request = ctx.data::<RequestContext>()?;
    let field = ctx.field();
    let args = arguments(&field)?;
    let limits = ctx.data::<crate::limits::Limits>()?;
    let filter = filter_arg(ty, syntax, &args, limits)?;
    let compiled = compile_count(request.db.dialect(), ty, &request.tenant, filter.as_ref());
    let count = run_for(
        request,
        &compiled.sql,
        &compiled.params,
        limits.query_timeout,
    )
    .await?;
    let mut object = IndexMap::new();
    for child in field.selection_set() {
        if child.name() == "count" {
            object.insert(Name::new(child.alias().unwrap_or("count")), count.clone());
        }
    }
    Ok(Some(FieldValue::value(Value::Object(object))))
}

/// The legacy (5.x) key of `AssetWhere` that restricts the implementing types.
pub(crate) const TYPENAME_LEGACY: &str = "typename_IN";
/// The current (7.x) key of `AssetWhere` that restricts the implementing types.
pub(crate) const TYPENAME_CURRENT: &str = "typename";

/// `assets(where, …)` over the `Asset` interface: one statement, a UNION ALL of the types.
pub(crate) async fn assets<'a>(
    ctx: ResolverContext<'a>,
    syntax: QueryDialect,
) -> Result<Option<FieldValue<'a>>, Error> {
    let request = ctx.data::<RequestContext>()?;
    let field = ctx.field();
    let mut args = arguments(&field)?;
    let mut wanted: Option<Vec<String>> = None;
    if let Some(Value::Object(filter)) = args.get_mut("where") {
        for key in [TYPENAME_LEGACY, TYPENAME_CURRENT] {
            if let Some(Value::List(names)) = filter.shift_remove(key) {
                let names = names
                    .iter()
                    .filter_map(|n| match n {
                        Value::Enum(name) => Some(name.to_string()),
                        Value::String(name) => Some(name.clone()),
                        _ => None,
                    })
                    .collect();
                wanted = Some(names);
            }
        }
    }
    let paging = paging(&ASSET_INTERFACE, syntax, &args)?;
    let limits = ctx.data::<crate::limits::Limits>()?;
    let filter = filter_arg(&ASSET_INTERFACE, syntax, &args, limits)?;
    let mut types = Vec::new();
    for ty in asset_types() {
        if wanted
            .as_ref()
            .is_some_and(|w| !w.iter().any(|n| n == ty.name))
        {
            continue;
        }
        // Fragments are flattened here; fields a type lacks are skipped, and the executor
        // applies the type conditions when it shapes the response.
        types.push((ty, selection(ty, syntax, limits, field.selection_set())?));
    }
    // A selection with no type condition but the interface's is the same on every type, so
    // the database's JSON rows are the answer as they are (`__typename` compiled per type).
    let raw = ctx
        .data_opt::<std::sync::Arc<crate::raw::RawParts>>()
        .filter(|raw| raw.interface_only(field.alias().unwrap_or(field.name())));
    let (limit, cap) = crate::limits::list_limit(paging.limit, limits, request.unpaged)?;
    let query = AssetsQuery {
        types,
        tenant: request.tenant.clone(),
        filter,
        sort: paging.sort,
        limit,
        offset: paging.offset,
        tagged: raw.is_none(),
    };
    let compiled = compile_assets(request.db.dialect(), &query).map_err(compile_error)?;
    let warnings = ctx.data_opt::<std::sync::Arc<Warnings>>();
    if let Some(raw) = raw {
        let statement = RawStatement {
            compiled,
            shape: None,
            cap,
        };
        return raw_list(raw, request, &field, statement, warnings, limits).await;
    }
    let answer = run_for(
        request,
        &compiled.sql,
        &compiled.params,
        limits.query_timeout,
    )
    .await?;
    let Value::List(items) = cut(answer, cap, &field, warnings) else {
        return Err(coded(
            "internal error while reading the result",
            ErrorCode::Internal,
        ));
    };
    let values = items.into_iter().map(|item| {
        let mut object = match item {
            Value::Object(object) => object,
            _ => IndexMap::new(),
        };
        let ty = match object.shift_remove(TYPE_KEY) {
            Some(Value::String(ty)) => ty,
            _ => String::new(),
        };
        FieldValue::value(Value::Object(object)).with_type(ty)
    });
    Ok(Some(FieldValue::list(values)))
}
