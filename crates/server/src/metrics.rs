//! Prometheus metrics, kept in one explicit struct (no hidden globals) and rendered in the text
//! exposition format at `GET /metrics`.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;
use std::time::Duration;

use assetql_store::Database;

/// Upper bounds of the latency histogram buckets, in seconds.
const BUCKETS: [f64; 12] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0,
];

#[derive(Debug, Default, Clone)]
struct Histogram {
    counts: [u64; BUCKETS.len()],
    count: u64,
    sum: f64,
}

impl Histogram {
    fn observe(&mut self, seconds: f64) {
        for (i, bound) in BUCKETS.iter().enumerate() {
            if seconds <= *bound {
                self.counts[i] += 1;
            }
        }
        self.count += 1;
        self.sum += seconds;
    }
}

/// Distinct operation names kept as labels at most; later ones count as `other`.
pub const MAX_OPERATION_LABELS: usize = 100;
/// Longest operation name kept as a label; longer ones (and any that is not a GraphQL name)
/// count as `other`.
pub const MAX_OPERATION_LABEL_LENGTH: usize = 64;

/// Whether `name` is a GraphQL name short enough to be a label.
fn is_label_name(name: &str) -> bool {
    let mut bytes = name.bytes();
    name.len() <= MAX_OPERATION_LABEL_LENGTH
        && bytes
            .next()
            .is_some_and(|b| b == b'_' || b.is_ascii_alphabetic())
        && bytes.all(|b| b == b'_' || b.is_ascii_alphanumeric())
}

#[derive(Debug, Default)]
struct State {
    /// The operation names that have a label of their own (clients choose them: the set is
    /// bounded so that /metrics cannot be grown without bound).
    operations: std::collections::BTreeSet<String>,
    requests: BTreeMap<(String, String), Histogram>,
    errors: BTreeMap<String, u64>,
    syncs: BTreeMap<String, Histogram>,
    api_calls: BTreeMap<String, u64>,
    controls: BTreeMap<String, u64>,
}

/// The server's metrics.
#[derive(Debug, Default)]
pub struct Metrics {
    state: Mutex<State>,
}

/// Escapes a label value.
fn label(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

impl Metrics {
    /// Records one GraphQL request: its operation name, `ok` or `error`, latency and error codes.
    pub fn record_request(
        &self,
        operation: &str,
        status: &str,
        elapsed: Duration,
        codes: &[String],
    ) {
        if let Ok(mut state) = self.state.lock() {
            let known = state.operations.contains(operation);
            let operation = if known
                || (is_label_name(operation) && state.operations.len() < MAX_OPERATION_LABELS)
            {
                if !known {
                    state.operations.insert(operation.to_owned());
                }
                operation
            } else {
                "other"
            };
            state
                .requests
                .entry((operation.to_owned(), status.to_owned()))
                .or_default()
                .observe(elapsed.as_secs_f64());
            for code in codes {
                *state.errors.entry(code.clone()).or_default() += 1;
            }
        }
    }

    /// Records one scope sync: its status, duration and AWS API calls.
    pub fn record_sync(&self, status: &str, elapsed: Duration, api_calls: &BTreeMap<String, u64>) {
        if let Ok(mut state) = self.state.lock() {
            state
                .syncs
                .entry(status.to_owned())
                .or_default()
                .observe(elapsed.as_secs_f64());
            for (operation, count) in api_calls {
                *state.api_calls.entry(operation.clone()).or_default() += count;
            }
        }
    }

    /// Records one control run's status (`pass`, `fail`, `error`).
    pub fn record_control(&self, status: &str) {
        if let Ok(mut state) = self.state.lock() {
            *state.controls.entry(status.to_owned()).or_default() += 1;
        }
    }

    /// The text exposition of every metric, with the pool's current usage and, for a server,
    /// the engine's plan-cache hits.
    pub fn render(&self, db: &Database, plan_cache_hits: Option<u64>) -> String {
        let mut out = String::new();
        let Ok(state) = self.state.lock() else {
            return out;
        };
        out.push_str("# HELP assetql_graphql_request_duration_seconds GraphQL request latency.\n");
        out.push_str("# TYPE assetql_graphql_request_duration_seconds histogram\n");
        for ((operation, status), histogram) in &state.requests {
            let labels = format!(
                "operation=\"{}\",status=\"{}\"",
                label(operation),
                label(status)
            );
            for (bound, count) in BUCKETS.iter().zip(histogram.counts) {
                let _ = writeln!(out, "assetql_graphql_request_duration_seconds_bucket{{{labels},le=\"{bound}\"}} {count}");
            }
            let _ = writeln!(
                out,
                "assetql_graphql_request_duration_seconds_bucket{{{labels},le=\"+Inf\"}} {}",
                histogram.count
            );
            let _ = writeln!(
                out,
                "assetql_graphql_request_duration_seconds_sum{{{labels}}} {}",
                histogram.sum
            );
            let _ = writeln!(
                out,
                "assetql_graphql_request_duration_seconds_count{{{labels}}} {}",
                histogram.count
            );
        }
        out.push_str("# HELP assetql_graphql_errors_total GraphQL errors by extensions.code.\n");
        out.push_str("# TYPE assetql_graphql_errors_total counter\n");
        for (code, count) in &state.errors {
            let _ = writeln!(
                out,
                "assetql_graphql_errors_total{{code=\"{}\"}} {count}",
                label(code)
            );
        }
        out.push_str(
            "# HELP assetql_sync_scope_duration_seconds Duration of one scope's sync, by status.\n",
        );
        out.push_str("# TYPE assetql_sync_scope_duration_seconds histogram\n");
        for (status, histogram) in &state.syncs {
            let labels = format!("status=\"{}\"", label(status));
            for (bound, count) in BUCKETS.iter().zip(histogram.counts) {
                let _ = writeln!(
                    out,
                    "assetql_sync_scope_duration_seconds_bucket{{{labels},le=\"{bound}\"}} {count}"
                );
            }
            let _ = writeln!(
                out,
                "assetql_sync_scope_duration_seconds_bucket{{{labels},le=\"+Inf\"}} {}",
                histogram.count
            );
            let _ = writeln!(
                out,
                "assetql_sync_scope_duration_seconds_sum{{{labels}}} {}",
                histogram.sum
            );
            let _ = writeln!(
                out,
                "assetql_sync_scope_duration_seconds_count{{{labels}}} {}",
                histogram.count
            );
        }
        out.push_str("# HELP assetql_aws_api_calls_total AWS API calls by operation.\n");
        out.push_str("# TYPE assetql_aws_api_calls_total counter\n");
        for (operation, count) in &state.api_calls {
            let _ = writeln!(
                out,
                "assetql_aws_api_calls_total{{operation=\"{}\"}} {count}",
                label(operation)
            );
        }
        out.push_str("# HELP assetql_control_runs_total Control runs by status.\n");
        out.push_str("# TYPE assetql_control_runs_total counter\n");
        for (status, count) in &state.controls {
            let _ = writeln!(
                out,
                "assetql_control_runs_total{{status=\"{}\"}} {count}",
                label(status)
            );
        }
        let (size, idle) = match db {
            Database::Postgres(pool) => (pool.size(), pool.num_idle()),
            Database::Sqlite(pool) => (pool.size(), pool.num_idle()),
        };
        out.push_str("# HELP assetql_db_pool_connections Database pool connections by state.\n");
        out.push_str("# TYPE assetql_db_pool_connections gauge\n");
        let _ = writeln!(out, "assetql_db_pool_connections{{state=\"idle\"}} {idle}");
        let _ = writeln!(
            out,
            "assetql_db_pool_connections{{state=\"in_use\"}} {}",
            u64::from(size).saturating_sub(u64::try_from(idle).unwrap_or(0))
        );
        if let Some(hits) = plan_cache_hits {
            out.push_str(
                "# HELP assetql_graphql_plan_cache_hits_total Requests answered from a cached plan.\n",
            );
            out.push_str("# TYPE assetql_graphql_plan_cache_hits_total counter\n");
            let _ = writeln!(out, "assetql_graphql_plan_cache_hits_total {hits}");
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operation_labels_are_bounded_in_number_and_length() {
        let metrics = Metrics::default();
        let long = "x".repeat(50_000);
        metrics.record_request(&long, "ok", Duration::from_millis(1), &[]);
        metrics.record_request("a\"b", "ok", Duration::from_millis(1), &[]);
        for i in 0..1_000 {
            metrics.record_request(&format!("Op{i}"), "ok", Duration::from_millis(1), &[]);
        }
        let state = metrics.state.lock().expect("lock");
        assert_eq!(state.operations.len(), MAX_OPERATION_LABELS);
        assert!(state.operations.contains("Op0") && !state.operations.contains("Op999"));
        let other = &state.requests[&("other".to_owned(), "ok".to_owned())];
        assert_eq!(
            other.count,
            2 + 1_000 - u64::try_from(MAX_OPERATION_LABELS).expect("fits")
        );
        assert!(state
            .requests
            .keys()
            .all(|(op, _)| op.len() <= MAX_OPERATION_LABEL_LENGTH));
    }
}
