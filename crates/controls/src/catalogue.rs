//! Loading controls: assetql's TOML files (one per control) and the public catalogue's JSON
//! layout (`controls/*.json` + `queries/*.json`), read as they are.

use std::collections::BTreeMap;
use std::path::Path;

use assetql_model::catalogue::asset_types;
use serde::{Deserialize, Serialize};

/// How bad a failing control is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Low.
    Low,
    /// Medium.
    Medium,
    /// High.
    High,
    /// Critical.
    Critical,
}

/// Where a built-in control comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Origin {
    /// The public cyscale/grc-cms catalogue, verbatim.
    PublicCatalogue,
    /// AWS Security Hub's Foundational Security Best Practices, in assetql's words.
    AwsSecurityHub,
    /// A stricter variant written by assetql.
    Assetql,
    /// Written by the user (the default for files that do not say).
    Custom,
}

impl Origin {
    /// How reports and docs name it.
    pub fn label(self) -> &'static str {
        match self {
            Origin::PublicCatalogue => "public catalogue",
            Origin::AwsSecurityHub => "AWS Security Hub",
            Origin::Assetql => "assetql strict variant",
            Origin::Custom => "custom",
        }
    }
}

/// `eq` or `neq`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Comparator {
    /// The result must equal the expectation.
    Eq,
    /// The result must differ from it.
    Neq,
}

/// What the query's result is compared with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Expected {
    /// `[]`: the root field returns no asset.
    EmptyList,
    /// `true` / `false`: the result's scalar.
    Bool(bool),
}

/// A control's check, e.g. `eq []`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Check {
    /// Comparator.
    pub comparator: Comparator,
    /// Expected value.
    pub expected: Expected,
}

impl Check {
    /// Parses `eq []`, `neq []`, `eq true`, `eq false` (and the JSON catalogue's pair).
    pub fn parse(comparator: &str, expected: &str) -> Result<Self, String> {
        let comparator = match comparator.trim() {
            "eq" => Comparator::Eq,
            "neq" => Comparator::Neq,
            other => return Err(format!("unknown comparator {other:?}: use eq or neq")),
        };
        let expected = match expected.trim() {
            "[]" => Expected::EmptyList,
            "true" => Expected::Bool(true),
            "false" => Expected::Bool(false),
            other => {
                return Err(format!(
                    "unsupported expected result {other:?}: use [], true or false"
                ))
            }
        };
        Ok(Check {
            comparator,
            expected,
        })
    }

    /// Parses the one-string form `eq []`.
    pub fn parse_expect(text: &str) -> Result<Self, String> {
        let (comparator, expected) = text
            .trim()
            .split_once(' ')
            .ok_or_else(|| format!("expect {text:?} is not of the form `eq []`"))?;
        Check::parse(comparator, expected)
    }

    /// The check as text.
    pub fn describe(&self) -> String {
        let comparator = match self.comparator {
            Comparator::Eq => "eq",
            Comparator::Neq => "neq",
        };
        let expected = match self.expected {
            Expected::EmptyList => "[]",
            Expected::Bool(true) => "true",
            Expected::Bool(false) => "false",
        };
        format!("{comparator} {expected}")
    }
}

/// One stored control.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Control {
    /// Stable id (the catalogue slug for the public catalogue's controls).
    pub id: String,
    /// Title.
    pub title: String,
    /// Description.
    pub description: String,
    /// Severity.
    pub severity: Severity,
    /// Asset types it evaluates (`ECSTaskDefinition`…).
    pub asset_types: Vec<String>,
    /// Cloud provider (`aws`).
    pub provider: String,
    /// The GraphQL query, verbatim.
    pub query: String,
    /// The expected result.
    pub check: Check,
    /// How to fix a failure.
    pub remediation: Option<String>,
    /// Whether runs include it.
    pub enabled: bool,
    /// The file it came from.
    pub source: String,
    /// Where the control comes from.
    pub origin: Origin,
    /// The id of the check it follows in its origin (`ECS.9`), if any.
    pub origin_id: Option<String>,
    /// Whether its origin retired it (it still runs; reports say so).
    pub retired: bool,
    /// Requirement ids of frameworks it maps to (`NIST.800-53.r5 AC-6`…), as data.
    pub requirements: Vec<String>,
    /// Exactly which assets it looks at and what fails, in words.
    pub reading: Option<String>,
    /// Where it deliberately differs from the tools users compare it with.
    pub differs: Option<String>,
    /// The query whose assets the control applies to (selecting `identifier` and
    /// `cloudAccountID`); by default its asset type's root field with no filter.
    pub applicable_query: Option<String>,
}

impl Control {
    /// The query of the assets the control applies to: its own, or the root field of its one
    /// asset type with no filter; `None` when neither is known (several asset types).
    pub fn applicable_query(&self) -> Option<String> {
        if let Some(query) = &self.applicable_query {
            return Some(query.clone());
        }
        let [asset_type] = self.asset_types.as_slice() else {
            return None;
        };
        asset_types()
            .filter_map(|ty| ty.asset)
            .find(|a| a.internal_asset_type == asset_type)
            .map(|a| format!("{{ {} {{ identifier cloudAccountID }} }}", a.root_field))
    }

    /// Whether assetql inventories every asset type the control evaluates.
    pub fn is_supported(&self) -> bool {
        !self.asset_types.is_empty()
            && self.asset_types.iter().all(|t| {
                asset_types().any(|ty| ty.asset.is_some_and(|a| a.internal_asset_type == t))
            })
    }
}

/// A control file that could not be loaded, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Rejected {
    /// The file.
    pub file: String,
    /// Why.
    pub reason: String,
}

/// A loaded catalogue.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Catalogue {
    /// Controls, sorted by id.
    pub controls: Vec<Control>,
    /// Files that were rejected; the others still loaded.
    pub rejected: Vec<Rejected>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TomlControl {
    id: String,
    title: String,
    #[serde(default)]
    description: String,
    severity: Severity,
    asset_types: Vec<String>,
    #[serde(default = "aws")]
    provider: String,
    expect: String,
    #[serde(default)]
    remediation: Option<String>,
    #[serde(default = "yes")]
    enabled: bool,
    query: String,
    #[serde(default = "custom")]
    origin: Origin,
    #[serde(default)]
    origin_id: Option<String>,
    #[serde(default)]
    retired: bool,
    #[serde(default)]
    requirements: Vec<String>,
    #[serde(default)]
    reading: Option<String>,
    #[serde(default)]
    differs: Option<String>,
    #[serde(default)]
    applicable_query: Option<String>,
}

fn custom() -> Origin {
    Origin::Custom
}

/// A multi-line text as written, trimmed; empty or `—` is none.
fn prose(value: Option<String>) -> Option<String> {
    value
        .map(|t| t.trim().to_owned())
        .filter(|t| !t.is_empty() && t != "—")
}

fn aws() -> String {
    "aws".to_owned()
}
fn yes() -> bool {
    true
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct JsonControl {
    name: String,
    slug: String,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    remediation_description: Option<String>,
    severity: u8,
    rules: Vec<JsonRule>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct JsonRule {
    subjects: Vec<String>,
    query: String,
    expected_result: String,
    comparator: String,
    #[serde(default)]
    cloud_providers: Vec<String>,
    /// The assets the rule applies to: a query slug of queries/, or the query itself. It may
    /// use `$failedAssetsIdentifiers` (the identifiers the rule's query reported).
    #[serde(default)]
    applicable_assets_query: Option<String>,
}

#[derive(Deserialize)]
struct JsonQuery {
    slug: String,
    query: String,
}

fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 128
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

/// Parses one control in assetql's TOML format.
pub(crate) fn parse_toml(file: &str, text: &str) -> Result<Control, String> {
    let raw: TomlControl = toml::from_str(text).map_err(|e| e.to_string())?;
    if !valid_id(&raw.id) {
        return Err(format!(
            "invalid id {:?}: use letters, digits, '-', '_', '.'",
            raw.id
        ));
    }
    if raw.query.trim().is_empty() {
        return Err("empty query".to_owned());
    }
    Ok(Control {
        check: Check::parse_expect(&raw.expect)?,
        id: raw.id,
        title: raw.title,
        description: raw.description,
        severity: raw.severity,
        asset_types: raw.asset_types,
        provider: raw.provider,
        query: raw.query,
        remediation: raw.remediation,
        enabled: raw.enabled,
        source: file.to_owned(),
        origin: raw.origin,
        origin_id: raw.origin_id,
        retired: raw.retired,
        requirements: raw.requirements,
        reading: prose(raw.reading),
        differs: prose(raw.differs),
        applicable_query: raw.applicable_query.filter(|q| !q.trim().is_empty()),
    })
}

/// The files of `controls/`, compiled into the binary.
macro_rules! builtin {
    ($($file:literal),* $(,)?) => {
        &[$(($file, include_str!(concat!("../../../controls/", $file)))),*]
    };
}

const BUILTIN: &[(&str, &str)] = builtin![
    "assetql-ecs-1-strict-root-any-case.toml",
    "assetql-ecs-1-strict-uid-zero.toml",
    "assetql-ecs-1-strict-unset-user.toml",
    "aws-ecs-1-privileged-network-mode.toml",
    "aws-ecs-10-latest-platform-version.toml",
    "aws-ecs-12-clusters-should-use-insights.toml",
    "aws-ecs-2-service-assign-public-ip-disabled.toml",
    "aws-ecs-3-process-name-space.toml",
    "aws-ecs-4-containers-not-privileged.toml",
    "aws-ecs-5-readonly-root-file-systems.toml",
    "aws-ecs-8-secrets-in-vars.toml",
    "aws-fsbp-ecs-1.toml",
    "aws-fsbp-ecs-10.toml",
    "aws-fsbp-ecs-12.toml",
    "aws-fsbp-ecs-13.toml",
    "aws-fsbp-ecs-14.toml",
    "aws-fsbp-ecs-15.toml",
    "aws-fsbp-ecs-16.toml",
    "aws-fsbp-ecs-17.toml",
    "aws-fsbp-ecs-18.toml",
    "aws-fsbp-ecs-19.toml",
    "aws-fsbp-ecs-2.toml",
    "aws-fsbp-ecs-20.toml",
    "aws-fsbp-ecs-21.toml",
    "aws-fsbp-ecs-3.toml",
    "aws-fsbp-ecs-4.toml",
    "aws-fsbp-ecs-5.toml",
    "aws-fsbp-ecs-8.toml",
    "aws-fsbp-ecs-9.toml",
];

impl Catalogue {
    /// The catalogue built into the binary (the files of `controls/`).
    pub fn builtin() -> Self {
        let mut catalogue = Catalogue::default();
        for (file, text) in BUILTIN {
            catalogue.add(file, parse_toml(&format!("controls/{file}"), text));
        }
        catalogue.finish()
    }

    /// Loads every control under `dir`: `*.toml` files (assetql's format) and, when `dir` has
    /// `controls/` and `queries/` folders of JSON, the public catalogue's layout.
    pub fn load_dir(dir: &Path) -> std::io::Result<Self> {
        let mut catalogue = Catalogue::default();
        for entry in sorted_entries(dir)? {
            if entry.extension().is_some_and(|e| e == "toml") {
                let file = entry.display().to_string();
                match std::fs::read_to_string(&entry) {
                    Ok(text) => catalogue.add(&file, parse_toml(&file, &text)),
                    Err(e) => catalogue.add(&file, Err(e.to_string())),
                }
            }
        }
        let (controls_dir, queries_dir) = (dir.join("controls"), dir.join("queries"));
        if controls_dir.is_dir() && queries_dir.is_dir() {
            catalogue.load_json(&controls_dir, &queries_dir)?;
        }
        Ok(catalogue.finish())
    }

    fn load_json(&mut self, controls_dir: &Path, queries_dir: &Path) -> std::io::Result<()> {
        let mut queries = BTreeMap::new();
        for path in sorted_entries(queries_dir)? {
            if path.extension().is_some_and(|e| e == "json") {
                let file = path.display().to_string();
                match std::fs::read_to_string(&path)
                    .map_err(|e| e.to_string())
                    .and_then(|t| serde_json::from_str::<JsonQuery>(&t).map_err(|e| e.to_string()))
                {
                    Ok(query) => {
                        queries.insert(query.slug, query.query);
                    }
                    Err(reason) => self.rejected.push(Rejected { file, reason }),
                }
            }
        }
        for path in sorted_entries(controls_dir)? {
            if path.extension().is_none_or(|e| e != "json") {
                continue;
            }
            let file = path.display().to_string();
            let parsed = std::fs::read_to_string(&path)
                .map_err(|e| e.to_string())
                .and_then(|t| serde_json::from_str::<JsonControl>(&t).map_err(|e| e.to_string()));
            let control = match parsed {
                Ok(control) => control,
                Err(reason) => {
                    self.rejected.push(Rejected { file, reason });
                    continue;
                }
            };
            let many = control.rules.len() > 1;
            for (i, rule) in control.rules.iter().enumerate() {
                let id = if many {
                    format!("{}#{}", control.slug, i + 1)
                } else {
                    control.slug.clone()
                };
                let result = (|| {
                    let query = queries.get(&rule.query).ok_or_else(|| {
                        format!(
                            "rule {} names query {:?}, which is not in queries/",
                            i + 1,
                            rule.query
                        )
                    })?;
                    Ok(Control {
                        id,
                        title: control.name.clone(),
                        description: control.description.clone().unwrap_or_default(),
                        severity: match control.severity {
                            0 | 1 => Severity::Low,
                            2 => Severity::Medium,
                            3 => Severity::High,
                            _ => Severity::Critical,
                        },
                        asset_types: rule.subjects.clone(),
                        provider: rule.cloud_providers.first().cloned().unwrap_or_else(aws),
                        query: query.clone(),
                        check: Check::parse(&rule.comparator, &rule.expected_result)?,
                        remediation: control.remediation_description.clone(),
                        enabled: true,
                        source: file.clone(),
                        origin: Origin::Custom,
                        origin_id: None,
                        retired: false,
                        requirements: Vec::new(),
                        reading: None,
                        differs: None,
                        applicable_query: match &rule.applicable_assets_query {
                            None => None,
                            Some(named) if named.trim().is_empty() => None,
                            Some(named) => Some(match queries.get(named.trim()) {
                                Some(query) => query.clone(),
                                None if named.contains('{') => named.clone(),
                                None => {
                                    return Err(format!(
                                        "rule {} names applicableAssetsQuery {named:?}, which is \
                                         not in queries/",
                                        i + 1
                                    ))
                                }
                            }),
                        },
                    })
                })();
                self.add(&file, result);
            }
        }
        Ok(())
    }

    fn add(&mut self, file: &str, result: Result<Control, String>) {
        match result {
            Ok(control) if self.controls.iter().any(|c| c.id == control.id) => {
                self.rejected.push(Rejected {
                    file: file.to_owned(),
                    reason: format!("duplicate control id {:?}", control.id),
                })
            }
            Ok(control) => self.controls.push(control),
            Err(reason) => self.rejected.push(Rejected {
                file: file.to_owned(),
                reason,
            }),
        }
    }

    fn finish(mut self) -> Self {
        self.controls.sort_by(|a, b| a.id.cmp(&b.id));
        self
    }

    /// A control by id.
    pub fn get(&self, id: &str) -> Option<&Control> {
        self.controls.iter().find(|c| c.id == id)
    }
}

fn sorted_entries(dir: &Path) -> std::io::Result<Vec<std::path::PathBuf>> {
    let mut entries: Vec<_> = std::fs::read_dir(dir)?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_file())
        .collect();
    entries.sort();
    Ok(entries)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_builtin_catalogue_loads_every_file() {
        let catalogue = Catalogue::builtin();
        assert!(catalogue.rejected.is_empty(), "{:?}", catalogue.rejected);
        assert_eq!(catalogue.controls.len(), BUILTIN.len());
        let mission = catalogue
            .get("aws-ecs-1-privileged-network-mode")
            .expect("mission control");
        assert!(mission.query.contains("task_NOT: null"));
        assert_eq!(
            mission.check,
            Check {
                comparator: Comparator::Eq,
                expected: Expected::EmptyList
            }
        );
        assert!(catalogue.controls.iter().all(Control::is_supported));
    }

    #[test]
    fn every_file_of_the_controls_folder_is_built_in() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../controls");
        let mut files: Vec<String> = std::fs::read_dir(dir)
            .expect("controls/")
            .filter_map(Result::ok)
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|f| f.ends_with(".toml"))
            .collect();
        files.sort();
        let built: Vec<&str> = BUILTIN.iter().map(|(f, _)| *f).collect();
        assert_eq!(files, built);
    }

    #[test]
    fn checks_parse_and_bad_ones_are_explained() {
        assert_eq!(
            Check::parse_expect("neq []").map(|c| c.comparator),
            Ok(Comparator::Neq)
        );
        assert_eq!(
            Check::parse_expect("eq false").map(|c| c.expected),
            Ok(Expected::Bool(false))
        );
        assert!(Check::parse_expect("gt 3").is_err_and(|e| e.contains("comparator")));
        assert!(Check::parse_expect("eq 3").is_err_and(|e| e.contains("expected")));
    }

    #[test]
    fn invalid_toml_is_rejected_with_its_reason() {
        assert!(parse_toml("x.toml", "id = 1").is_err());
        let bad_id = "id = \"a b\"\ntitle = \"t\"\nseverity = \"low\"\nasset_types = [\"ECSTask\"]\nexpect = \"eq []\"\nquery = \"{ ecsTasks { arn } }\"";
        assert!(parse_toml("x.toml", bad_id).is_err_and(|e| e.contains("invalid id")));
    }
}
