//! Running one compiled statement for a request: a turn from its [`StatementGate`], the
//! tenant named for row-level security, the deadline, and the answer's JSON text.

use assetql_model::ErrorCode;
use assetql_store::StoreError;
use async_graphql::{Error, Value};

use crate::context::RequestContext;
use crate::error::{coded, store_error};

/// Runs a compiled statement for `request` (naming its tenant for row-level security when the
/// request asks for it), giving up after `timeout`.
pub(crate) async fn run_for(
    request: &RequestContext,
    sql: &str,
    params: &[assetql_sql::Value],
    timeout: std::time::Duration,
) -> Result<Value, Error> {
    let tenant = request
        .row_level_security
        .then_some(request.tenant.as_str());
    run_as(request, tenant, sql, params, timeout).await
}

/// How long after the database's own deadline the client stops waiting.
const CLIENT_GRACE: std::time::Duration = std::time::Duration::from_millis(250);

/// Runs a compiled statement for `request` and returns the JSON text the database built.
pub(crate) async fn run_text_for(
    request: &RequestContext,
    sql: &str,
    params: &[assetql_sql::Value],
    timeout: std::time::Duration,
) -> Result<String, Error> {
    let tenant = request
        .row_level_security
        .then_some(request.tenant.as_str());
    fetch_text(request, tenant, sql, params, timeout).await
}

async fn fetch_text(
    request: &RequestContext,
    tenant: Option<&str>,
    sql: &str,
    params: &[assetql_sql::Value],
    timeout: std::time::Duration,
) -> Result<String, Error> {
    let timed_out = || {
        crate::error::limit_error(
            format!("the query ran longer than {} ms", timeout.as_millis()),
            ErrorCode::Timeout,
            u64::try_from(timeout.as_millis()).unwrap_or(u64::MAX),
        )
    };
    // The database stops the statement at `timeout` (statement_timeout, SQLite interrupt); the
    // client-side limit, a little later, covers waiting for a connection or a stuck network.
    // Waiting for a turn counts toward the limit too.
    let db = &request.db;
    let fetch = async {
        let waited = std::time::Instant::now();
        let _turn = request.gate.enter().await;
        let (waited, started) = (waited.elapsed(), std::time::Instant::now());
        let text = db.fetch_json_within(tenant, sql, params, timeout).await;
        text.map(|text| (text, waited, started.elapsed()))
    };
    let (text, waited, ran) = match tokio::time::timeout(timeout + CLIENT_GRACE, fetch).await {
        Ok(Ok(answer)) => answer,
        Ok(Err(StoreError::Timeout { .. })) | Err(_) => return Err(timed_out()),
        Ok(Err(e)) => return Err(store_error(e)),
    };
    let ms = |d: std::time::Duration| u64::try_from(d.as_millis()).unwrap_or(u64::MAX);
    tracing::info!(
        db.system = db.dialect().name(),
        sql_ms = ms(ran),
        turn_wait_ms = ms(waited),
        rows = top_level_items(&text),
        bytes = text.len(),
        "statement executed"
    );
    Ok(text)
}

/// The number of items of a JSON array (1 for any other value), counted on the text without
/// parsing it.
fn top_level_items(json: &str) -> usize {
    scan_array(json, None).items
}

/// What [`scan_array`] found.
pub(crate) struct ArrayScan {
    /// Items of the array (1 when the text is not an array).
    pub(crate) items: usize,
    /// With `stop_after: Some(n)` and more than `n` items: the byte offset in the text of the
    /// comma that ends the `n`th item.
    pub(crate) cut_at: Option<usize>,
}

/// Scans a JSON text for the items of its top-level array: commas at depth one, outside
/// strings; stops at the comma ending item `stop_after` when there is one.
pub(crate) fn scan_array(json: &str, stop_after: Option<usize>) -> ArrayScan {
    let offset = json.len() - json.trim_start().len();
    let bytes = &json.as_bytes()[offset..];
    if bytes.first() != Some(&b'[') {
        return ArrayScan {
            items: 1,
            cut_at: None,
        };
    }
    let (mut depth, mut commas, mut in_string, mut escaped, mut any) =
        (0usize, 0usize, false, false, false);
    for (i, &b) in bytes.iter().enumerate() {
        if in_string {
            match (escaped, b) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => {
                in_string = true;
                any = true;
            }
            b'[' | b'{' => {
                if depth == 1 {
                    any = true;
                }
                depth += 1;
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            b',' if depth == 1 => {
                commas += 1;
                if stop_after == Some(commas) {
                    return ArrayScan {
                        items: commas,
                        cut_at: Some(offset + i),
                    };
                }
            }
            b' ' | b'\n' | b'\t' | b'\r' => {}
            _ if depth == 1 => any = true,
            _ => {}
        }
    }
    ArrayScan {
        items: if any { commas + 1 } else { 0 },
        cut_at: None,
    }
}

async fn run_as(
    request: &RequestContext,
    tenant: Option<&str>,
    sql: &str,
    params: &[assetql_sql::Value],
    timeout: std::time::Duration,
) -> Result<Value, Error> {
    let text = fetch_text(request, tenant, sql, params, timeout).await?;
    let value: Value = serde_json::from_str(&text).map_err(|e| {
        tracing::error!(error = %e, "the database returned invalid JSON");
        coded(
            "internal error while reading the result",
            ErrorCode::Internal,
        )
    })?;
    // The logged row count is read off the text (raw answers are never parsed); in debug
    // builds, check it against the parsed list.
    if let Value::List(items) = &value {
        debug_assert_eq!(items.len(), top_level_items(&text));
    }
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_are_counted_on_the_text() {
        assert_eq!(top_level_items("[]"), 0);
        assert_eq!(top_level_items("[ ]"), 0);
        assert_eq!(top_level_items(r#"[{"a":"x,[y"}]"#), 1);
        assert_eq!(
            top_level_items(r#"[{"a":[1,2]},{"b":"\",{"}, {"c":null}]"#),
            3
        );
        assert_eq!(top_level_items(r#"{"nodes":[1,2]}"#), 1);
        assert_eq!(top_level_items("[1,2,3]"), 3);
    }
}
