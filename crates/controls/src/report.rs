//! Rendering control runs: a table for people, JSON for scripts, SARIF 2.1.0 and JUnit XML for
//! CI systems.

use assetql_store::{ControlRun, ControlStatus, StaleScope};
use serde_json::json;

use crate::catalogue::{Catalogue, Severity};

/// An output format of `assetql controls run`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Aligned columns.
    Table,
    /// One JSON document.
    Json,
    /// SARIF 2.1.0.
    Sarif,
    /// JUnit XML.
    Junit,
}

/// `text` escaped for XML attributes and text; control characters XML forbids are dropped.
pub fn xml_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if (c as u32) < 0x20 && !matches!(c, '\n' | '\t' | '\r') => {}
            c => out.push(c),
        }
    }
    out
}

/// The stale scopes of all runs, once each.
fn stale_scopes(runs: &[ControlRun]) -> Vec<&StaleScope> {
    let mut out: Vec<&StaleScope> = runs.iter().flat_map(|r| &r.stale_scopes).collect();
    out.sort_by(|a, b| (&a.cloud_account_id, &a.region).cmp(&(&b.cloud_account_id, &b.region)));
    out.dedup();
    out
}

fn stale_text(scope: &StaleScope) -> String {
    format!(
        "stale data: {}/{} was last synced at {}",
        scope.cloud_account_id,
        scope.region,
        scope.last_synced_at.to_rfc3339()
    )
}

fn json_report(catalogue: &Catalogue, runs: &[ControlRun]) -> serde_json::Value {
    let controls: Vec<serde_json::Value> = runs
        .iter()
        .map(|run| {
            let control = catalogue.get(&run.control_id);
            let assets = |excepted: bool| -> Vec<serde_json::Value> {
                run.findings
                    .iter()
                    .filter(|f| f.excepted == excepted)
                    .map(|f| json!({ "identifier": f.asset_identifier, "idFromProvider": f.id_from_provider }))
                    .collect()
            };
            json!({
                "id": run.control_id,
                "title": control.map(|c| c.title.clone()),
                "severity": control.map(|c| c.severity),
                "status": run.status,
                "failing": assets(false),
                "excepted": assets(true),
                "applicable": run.applicable,
                "compliancePercent": run.compliance_percent(),
                "accounts": run.by_account().into_iter().map(|(account, (applicable, failing))| json!({
                    "cloudAccountId": account, "applicable": applicable, "failing": failing,
                })).collect::<Vec<_>>(),
                "newlyFailing": run.newly_failing,
                "fixed": run.fixed,
                "staleScopes": run.stale_scopes,
                "error": run.error,
                "durationMs": run.duration_ms,
            })
        })
        .collect();
    let count = |status: ControlStatus| runs.iter().filter(|r| r.status == status).count();
    let overall = Overall::of(runs);
    json!({
        "summary": {
            "pass": count(ControlStatus::Pass),
            "fail": count(ControlStatus::Fail),
            "error": count(ControlStatus::Error),
            "no_data": count(ControlStatus::NoData),
            "applicable": overall.applicable,
            "failing": overall.failing,
            "compliancePercent": overall.percent(),
            "unknownControls": overall.unknown,
            "staleScopes": stale_scopes(runs),
        },
        "controls": controls,
    })
}

/// Applicable and failing assets summed over the decided runs whose applicable count is known:
/// the overall compliance figure (an asset failing two controls counts twice, as two checks).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Overall {
    /// Asset-control pairs evaluated.
    pub applicable: i64,
    /// Of which failing (not excepted).
    pub failing: i64,
    /// Runs whose applicable count is not known (error, no_data): left out of the sums, and
    /// said, so that a high percentage over few known controls is not read as compliance.
    pub unknown: usize,
}

impl Overall {
    /// The sums over `runs`.
    pub fn of(runs: &[ControlRun]) -> Self {
        let mut overall = Overall::default();
        for run in runs {
            match run.applicable {
                Some(applicable) => {
                    overall.applicable += applicable;
                    overall.failing += i64::try_from(run.failing().count()).unwrap_or(i64::MAX);
                }
                None => overall.unknown += 1,
            }
        }
        overall
    }

    /// Passing share in percent; `None` when nothing applicable is known.
    pub fn percent(&self) -> Option<f64> {
        (self.applicable > 0).then(|| {
            100.0 * (self.applicable - self.failing).max(0) as f64 / self.applicable as f64
        })
    }
}

/// A control as a SARIF 2.1.0 rule (`tool.driver.rules[]`): description and remediation.
pub fn sarif_rule(c: &crate::catalogue::Control) -> serde_json::Value {
    json!({
        "id": c.id,
        "name": c.id,
        "shortDescription": { "text": c.title },
        "fullDescription": { "text": if c.description.is_empty() { &c.title } else { &c.description } },
        "help": { "text": c.remediation.clone().unwrap_or_else(|| c.title.clone()) },
        "properties": { "severity": c.severity, "assetTypes": c.asset_types },
    })
}

/// The SARIF level of a failing control of `severity`.
pub fn sarif_level(severity: Option<Severity>) -> &'static str {
    match severity {
        Some(Severity::Low) => "note",
        Some(Severity::Medium) => "warning",
        _ => "error",
    }
}

fn sarif(catalogue: &Catalogue, runs: &[ControlRun]) -> serde_json::Value {
    let rules: Vec<serde_json::Value> = runs
        .iter()
        .filter_map(|run| catalogue.get(&run.control_id))
        .map(sarif_rule)
        .collect();
    let mut results = Vec::new();
    let mut notifications = Vec::new();
    for run in runs {
        let control = catalogue.get(&run.control_id);
        if let Some(error) = &run.error {
            // No data is not an execution failure, but a reader must see it: SARIF has no
            // result for "not evaluated", so it is a notification.
            let level = if run.status == ControlStatus::NoData {
                "warning"
            } else {
                "error"
            };
            notifications.push(json!({
                "level": level,
                "message": { "text": format!("{}: {error}", run.control_id) },
                "associatedRule": { "id": run.control_id },
            }));
        }
        for finding in &run.findings {
            let name = finding
                .id_from_provider
                .clone()
                .unwrap_or_else(|| finding.asset_identifier.clone());
            let mut result = json!({
                "ruleId": run.control_id,
                "level": sarif_level(control.map(|c| c.severity)),
                "message": { "text": format!("{} violates {}", name, run.control_id) },
                "locations": [{ "logicalLocations": [{ "fullyQualifiedName": name, "kind": "resource" }] }],
                "partialFingerprints": { "assetIdentifier": finding.asset_identifier },
                "properties": { "newlyFailing": run.newly_failing.contains(&finding.asset_identifier) },
            });
            if finding.excepted {
                result["suppressions"] =
                    json!([{ "kind": "external", "justification": "active control exception" }]);
            }
            results.push(result);
        }
    }
    for scope in stale_scopes(runs) {
        notifications.push(json!({
            "level": "warning",
            "message": { "text": stale_text(scope) },
        }));
    }
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "assetql",
                "informationUri": "https://github.com/assetql/assetql",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": rules,
            }},
            "results": results,
            "invocations": [{
                "executionSuccessful": runs.iter().all(|r| r.status != ControlStatus::Error),
                "toolExecutionNotifications": notifications,
            }],
        }],
    })
}

fn junit(catalogue: &Catalogue, runs: &[ControlRun]) -> String {
    let count = |status: ControlStatus| runs.iter().filter(|r| r.status == status).count();
    let (failures, errors, skipped) = (
        count(ControlStatus::Fail),
        count(ControlStatus::Error),
        count(ControlStatus::NoData),
    );
    let total_ms: i64 = runs.iter().map(|r| r.duration_ms).sum();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    out.push_str(&format!(
        "<testsuites name=\"assetql controls\" tests=\"{}\" failures=\"{failures}\" errors=\"{errors}\" skipped=\"{skipped}\" time=\"{:.3}\">\n",
        runs.len(),
        total_ms as f64 / 1000.0
    ));
    out.push_str(&format!(
        "  <testsuite name=\"assetql.controls\" tests=\"{}\" failures=\"{failures}\" errors=\"{errors}\" skipped=\"{skipped}\">\n",
        runs.len()
    ));
    let stale = stale_scopes(runs);
    if !stale.is_empty() {
        out.push_str("    <properties>\n");
        for scope in stale {
            out.push_str(&format!(
                "      <property name=\"staleScope\" value=\"{}\"/>\n",
                xml_escape(&stale_text(scope))
            ));
        }
        out.push_str("    </properties>\n");
    }
    for run in runs {
        let title = catalogue
            .get(&run.control_id)
            .map_or("", |c| c.title.as_str());
        out.push_str(&format!(
            "    <testcase classname=\"assetql.controls\" name=\"{}\" time=\"{:.3}\">\n",
            xml_escape(&run.control_id),
            run.duration_ms as f64 / 1000.0
        ));
        if let Some(applicable) = run.applicable {
            out.push_str(&format!(
                "      <properties><property name=\"applicable\" value=\"{applicable}\"/><property name=\"failing\" value=\"{}\"/><property name=\"newlyFailing\" value=\"{}\"/><property name=\"fixed\" value=\"{}\"/></properties>\n",
                run.failing().count(),
                run.newly_failing.len(),
                run.fixed.len()
            ));
        }
        let failing: Vec<String> = run
            .failing()
            .map(|f| {
                f.id_from_provider
                    .clone()
                    .unwrap_or_else(|| f.asset_identifier.clone())
            })
            .collect();
        match run.status {
            ControlStatus::Fail => out.push_str(&format!(
                "      <failure message=\"{} failing asset(s): {}\">{}</failure>\n",
                failing.len(),
                xml_escape(title),
                xml_escape(&failing.join("\n"))
            )),
            ControlStatus::Error => out.push_str(&format!(
                "      <error message=\"{}\"/>\n",
                xml_escape(run.error.as_deref().unwrap_or("error"))
            )),
            ControlStatus::NoData => out.push_str(&format!(
                "      <skipped message=\"{}\"/>\n",
                xml_escape(run.error.as_deref().unwrap_or("no data"))
            )),
            ControlStatus::Pass => {}
        }
        out.push_str("    </testcase>\n");
    }
    out.push_str("  </testsuite>\n</testsuites>\n");
    out
}

fn table(catalogue: &Catalogue, runs: &[ControlRun]) -> String {
    let mut out = format!(
        "{:<38} {:<7} {:>15} {:>7} {:>8} {:>5} {:>5}  title\n",
        "control", "status", "failing", "%", "excepted", "new", "fixed"
    );
    let percent = |p: Option<f64>| p.map_or_else(|| "-".to_owned(), |p| format!("{p:.1}"));
    for run in runs {
        let failing = run.failing().count();
        let title = catalogue
            .get(&run.control_id)
            .map_or("", |c| c.title.as_str());
        let of = match run.applicable {
            Some(applicable) => format!("{failing} of {applicable}"),
            None => failing.to_string(),
        };
        out.push_str(&format!(
            "{:<38} {:<7} {:>15} {:>7} {:>8} {:>5} {:>5}  {}\n",
            run.control_id,
            run.status.as_str(),
            of,
            percent(run.compliance_percent()),
            run.findings.len() - failing,
            run.newly_failing.len(),
            run.fixed.len(),
            run.error.as_deref().unwrap_or(title)
        ));
        for identifier in &run.newly_failing {
            out.push_str(&format!("    + newly failing {identifier}\n"));
        }
        for identifier in &run.fixed {
            out.push_str(&format!("    - fixed {identifier}\n"));
        }
    }
    let overall = Overall::of(runs);
    out.push_str(&format!(
        "overall: {} of {} checks failing, {}% compliant{}\n",
        overall.failing,
        overall.applicable,
        percent(overall.percent()),
        if overall.unknown > 0 {
            format!(
                " ({} control(s) unknown: error or no data)",
                overall.unknown
            )
        } else {
            String::new()
        }
    ));
    let mut accounts: std::collections::BTreeMap<String, (i64, i64)> = Default::default();
    for run in runs {
        for (account, (applicable, failing)) in run.by_account() {
            let entry = accounts.entry(account).or_default();
            entry.0 += applicable;
            entry.1 += failing;
        }
    }
    for (account, (applicable, failing)) in accounts {
        let overall = Overall {
            applicable,
            failing,
            unknown: 0,
        };
        out.push_str(&format!(
            "account {account}: {failing} of {applicable} failing, {}% compliant\n",
            percent(overall.percent())
        ));
    }
    for scope in stale_scopes(runs) {
        out.push_str(&format!("warning: {}\n", stale_text(scope)));
    }
    out
}

/// Renders `runs` (of controls in `catalogue`) in `format`.
pub fn render(format: Format, catalogue: &Catalogue, runs: &[ControlRun]) -> String {
    match format {
        Format::Table => table(catalogue, runs),
        Format::Json => {
            serde_json::to_string_pretty(&json_report(catalogue, runs)).unwrap_or_default()
        }
        Format::Sarif => serde_json::to_string_pretty(&sarif(catalogue, runs)).unwrap_or_default(),
        Format::Junit => junit(catalogue, runs),
    }
}
