//! `assetql check` reports: a table for people, JSON (a documented, stable shape), SARIF 2.1.0
//! for code scanning, JUnit XML for CI test reports.

use assetql_controls::{sarif_level, sarif_rule, xml_escape, Catalogue};
use serde_json::json;

use crate::model::Report;

/// An output format of `assetql check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Aligned lines.
    Table,
    /// `{"files", "resources", "results", "controls"}`.
    Json,
    /// SARIF 2.1.0.
    Sarif,
    /// JUnit XML.
    Junit,
}

/// Renders `report` (of controls in `catalogue`) in `format`.
pub fn render(format: Format, catalogue: &Catalogue, report: &Report) -> String {
    match format {
        Format::Table => table(report),
        Format::Json => serde_json::to_string_pretty(&json!({
            "files": report.files,
            "resources": report.resources,
            "results": report.results,
            "controls": report.controls,
        }))
        .unwrap_or_default(),
        Format::Sarif => {
            serde_json::to_string_pretty(&sarif(catalogue, report)).unwrap_or_default()
        }
        Format::Junit => junit(catalogue, report),
    }
}

fn table(report: &Report) -> String {
    let mut out = String::new();
    for r in &report.results {
        out.push_str(&format!(
            "{}:{}  {}  {}  {}{}\n",
            r.file,
            r.line,
            r.resource,
            r.control,
            r.status,
            r.property
                .as_deref()
                .map(|p| format!("  (unknown before deploy: {p})"))
                .unwrap_or_default()
        ));
    }
    let count = |status: &str| {
        report
            .controls
            .iter()
            .filter(|c| c.status == status)
            .count()
    };
    out.push_str(&format!(
        "{} file(s), {} resource(s): {} control(s) fail, {} unknown, {} pass, {} not applicable\n",
        report.files.len(),
        report.resources,
        count("fail"),
        count("unknown"),
        count("pass"),
        count("not_applicable"),
    ));
    out
}

fn sarif(catalogue: &Catalogue, report: &Report) -> serde_json::Value {
    let rules: Vec<serde_json::Value> = report
        .controls
        .iter()
        .filter_map(|c| catalogue.get(&c.id))
        .map(sarif_rule)
        .collect();
    let results: Vec<serde_json::Value> = report
        .results
        .iter()
        .map(|r| {
            let control = catalogue.get(&r.control);
            let (level, text) = if r.status == "unknown" {
                (
                    "note",
                    format!(
                        "{} may violate {}: it depends on values unknown before deploy ({})",
                        r.resource,
                        r.control,
                        r.property.as_deref().unwrap_or("")
                    ),
                )
            } else {
                (
                    sarif_level(control.map(|c| c.severity)),
                    format!(
                        "{} violates {}: {}",
                        r.resource,
                        r.control,
                        control.map_or("", |c| c.title.as_str())
                    ),
                )
            };
            json!({
                "ruleId": r.control,
                "level": level,
                "message": { "text": text },
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": { "uri": r.file },
                        "region": { "startLine": r.line },
                    },
                    "logicalLocations": [{ "name": r.resource, "kind": "resource" }],
                }],
                "partialFingerprints": { "resource": format!("{}:{}", r.file, r.resource) },
                "properties": { "status": r.status, "assetType": r.asset_type },
            })
        })
        .collect();
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
        }],
    })
}

fn junit(catalogue: &Catalogue, report: &Report) -> String {
    let count = |status: &str| {
        report
            .controls
            .iter()
            .filter(|c| c.status == status)
            .count()
    };
    let skipped = count("unknown") + count("not_applicable");
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    out.push_str(&format!(
        "<testsuites name=\"assetql check\" tests=\"{}\" failures=\"{}\" errors=\"0\" skipped=\"{skipped}\">\n",
        report.controls.len(),
        count("fail")
    ));
    out.push_str(&format!(
        "  <testsuite name=\"assetql.check\" tests=\"{}\" failures=\"{}\" errors=\"0\" skipped=\"{skipped}\">\n",
        report.controls.len(),
        count("fail")
    ));
    for control in &report.controls {
        let title = catalogue.get(&control.id).map_or("", |c| c.title.as_str());
        out.push_str(&format!(
            "    <testcase classname=\"assetql.check\" name=\"{}\">\n",
            xml_escape(&control.id)
        ));
        let lines: Vec<String> = report
            .results
            .iter()
            .filter(|r| r.control == control.id)
            .map(|r| format!("{}:{} {} {}", r.file, r.line, r.resource, r.status))
            .collect();
        match control.status {
            "fail" => out.push_str(&format!(
                "      <failure message=\"{} resource(s) fail: {}\">{}</failure>\n",
                control.failing,
                xml_escape(title),
                xml_escape(&lines.join("\n"))
            )),
            "unknown" => out.push_str(&format!(
                "      <skipped message=\"unknown before deploy: {}\"/>\n",
                xml_escape(&lines.join("; "))
            )),
            "not_applicable" => out.push_str(
                "      <skipped message=\"not applicable: no resource of its types\"/>\n",
            ),
            _ => {}
        }
        out.push_str("    </testcase>\n");
    }
    out.push_str("  </testsuite>\n</testsuites>\n");
    out
}
