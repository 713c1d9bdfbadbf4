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
/// parsing it: commas at depth one, outside strings.
fn top_level_items(json: &str) -> usize {
    let bytes = json.trim_start().as_bytes();
    if bytes.first() != Some(&b'[') {
        return 1;
    }
    let (mut depth, mut items, mut in_string, mut escaped, mut any) =
        (0usize, 0usize, false, false, false);
    for &b in bytes {
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
            b',' if depth == 1 => items += 1,
            b' ' | b'\n' | b'\t' | b'\r' => {}
            _ if depth == 1 => any = true,
            _ => {}
        }
    }
    if any {
        items + 1
    } else {
        0
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
