//! The root connection fields (`ecsTaskDefinitionsConnection(where, first, after, sort)`): one
//! statement for the page and, only when selected, the total count; keyset cursors
//! (`crate::connection`) read on from their row.

use assetql_model::catalogue::TypeDef;
use assetql_model::ErrorCode;
use assetql_sql::{compile_connection, ListQuery, QueryDialect};
use async_graphql::dynamic::{FieldValue, ResolverContext};
use async_graphql::{Error, SelectionField, Value};

use crate::connection::{
    decode_cursor, keyset_values, sort_fingerprint, After, ConnectionShape, Page,
};
use crate::context::RequestContext;
use crate::error::{coded, compile_error};
use crate::resolve::{
    arguments, filter_arg, non_negative, run_raw, selection, sort_arg, RawStatement,
};
use crate::statement::run_for;

/// `ecsTaskDefinitionsConnection(where, first, after, sort)`: one statement for the page and,
/// only when selected, the total count.
pub(crate) async fn connection<'a>(
    ctx: ResolverContext<'a>,
    ty: &'static TypeDef,
    syntax: QueryDialect,
) -> Result<Option<FieldValue<'a>>, Error> {
    let request = ctx.data::<RequestContext>()?;
    let field = ctx.field();
    let args = arguments(&field)?;
    let limits = ctx.data::<crate::limits::Limits>()?;
    let first = crate::limits::page_size(
        non_negative(args.get("first"), "first")?,
        limits,
        request.unpaged,
        "first",
    )?;
    let sort = sort_arg(ty, args.get("sort"))?;
    let fingerprint = sort_fingerprint(ty, &sort);
    // Keyset cursors read on from their row; offset cursors (`arrayconnection:N`, still
    // accepted) skip N + 1 rows.
    // A forged cursor naming the last possible row has no row after it to start at.
    let next = |n: u64| {
        n.checked_add(1)
            .ok_or_else(|| coded("not a cursor returned by this API", ErrorCode::BadUserInput))
    };
    let (start, offset, after) = match args.get("after") {
        Some(Value::String(after)) => match decode_cursor(after)? {
            After::Offset(n) => (next(n)?, Some(next(n)?), None),
            After::Keyset { sort: made, .. } if made != fingerprint => {
                return Err(coded(
                    "this cursor was returned under another sort (or type): page with the sort it came with",
                    ErrorCode::BadUserInput,
                ))
            }
            After::Keyset { offset, keys, .. } => {
                (next(offset)?, None, Some(keyset_values(ty, &sort, &keys)?))
            }
        },
        _ => (0, None, None),
    };

    let page = Page { first, start };
    let mut node_fields: Vec<SelectionField<'_>> = Vec::new();
    for edges in field.selection_set().filter(|f| f.name() == "edges") {
        for node in edges.selection_set().filter(|f| f.name() == "node") {
            node_fields.extend(node.selection_set());
        }
    }
    // The answer's layout; a raw answer (when the selection allows one) is written around the
    // database's node JSON, unparsed, with the same layout.
    let shape = ConnectionShape::lenient(&field, page).with_keyset(fingerprint.clone());
    let (want_nodes, want_count) = shape.wants();
    let want_keys = shape.wants_keys();
    let raw_shape = ctx
        .data_opt::<std::sync::Arc<crate::raw::RawParts>>()
        .and_then(|raw| {
            Some((
                raw,
                ConnectionShape::of(&field, page)?.with_keyset(fingerprint),
            ))
        });
    let query = ListQuery {
        ty,
        tenant: request.tenant.clone(),
        filter: filter_arg(ty, syntax, &args, limits)?,
        sort,
        // One row more than asked tells whether there is a next page without counting.
        limit: first.map(|n| n + 1),
        offset,
        after,
        selection: selection(ty, syntax, limits, node_fields.into_iter())?,
    };
    let compiled = compile_connection(
        request.db.dialect(),
        &query,
        want_nodes,
        want_count,
        want_keys,
    )
    .map_err(compile_error)?;
    if let Some((raw, raw_shape)) = raw_shape {
        let empty = shape.to_value(&Value::from(0), &[], None);
        let statement = RawStatement {
            compiled,
            shape: Some(std::sync::Arc::new(raw_shape)),
            cap: None,
        };
        run_raw(raw, request, &field, statement, None, limits.query_timeout).await?;
        // The executor gets an empty page of the same layout to resolve.
        return Ok(Some(FieldValue::value(empty)));
    }
    let result = run_for(
        request,
        &compiled.sql,
        &compiled.params,
        limits.query_timeout,
    )
    .await?;
    let unreadable = || {
        coded(
            "internal error while reading the result",
            ErrorCode::Internal,
        )
    };
    let Value::Object(mut result) = result else {
        return Err(unreadable());
    };
    let total = result.shift_remove("totalCount").unwrap_or(Value::Null);
    // Nodes the layout needs but the statement did not return are an error, never an empty
    // page.
    let (fetched, keys) = match (result.shift_remove("nodes"), result.shift_remove("page")) {
        (Some(Value::List(nodes)), None) => (nodes, None),
        (None, Some(Value::Object(mut page))) => {
            match (page.shift_remove("nodes"), page.shift_remove("keys")) {
                (Some(Value::List(nodes)), Some(Value::List(keys)))
                    if keys.len() == nodes.len() =>
                {
                    (nodes, Some(keys))
                }
                _ => return Err(unreadable()),
            }
        }
        (None, None) if !want_nodes => (Vec::new(), None),
        _ => return Err(unreadable()),
    };
    Ok(Some(FieldValue::value(shape.to_value(
        &total,
        &fetched,
        keys.as_deref(),
    ))))
}
