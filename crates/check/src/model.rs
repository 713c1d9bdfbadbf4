//! What a check reads and reports: declared resources, options, findings, errors.

use std::path::PathBuf;

use serde::Serialize;
use serde_json::Value as Json;

/// The ECS resource kinds a file can declare.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Kind {
    /// A task definition.
    TaskDefinition,
    /// A service.
    Service,
    /// A cluster.
    Cluster,
    /// A task set.
    TaskSet,
    /// A capacity provider.
    CapacityProvider,
}

impl Kind {
    /// The inventory's asset type name (`internalAssetType`).
    pub fn asset_type(self) -> &'static str {
        match self {
            Kind::TaskDefinition => "ECSTaskDefinition",
            Kind::Service => "ECSService",
            Kind::Cluster => "ECSCluster",
            Kind::TaskSet => "ECSTaskSet",
            Kind::CapacityProvider => "ECSCapacityProvider",
        }
    }
}

/// One resource a file declares, as the API would describe it after deploy.
#[derive(Debug, Clone)]
pub struct Declared {
    /// The file, as given on the command line (or found under a directory given).
    pub file: String,
    /// CloudFormation logical id, Terraform address, or the task definition's family.
    pub resource: String,
    /// 1-based line where the resource's block starts.
    pub line: usize,
    /// What it is.
    pub kind: Kind,
    /// The Describe* answer's shape (camelCase keys). Values not known before deploy are
    /// `value::unknown` markers; ARNs are filled in when loaded.
    pub api: Json,
    /// A reference to another resource of the same file, resolved when loaded: (API key, the
    /// referenced resource), e.g. a service's `taskDefinition`.
    pub links: Vec<(String, String)>,
}

/// Options of a check.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Only these controls (all enabled, supported ones when empty).
    pub controls: Vec<String>,
    /// Whether each task definition counts as having a running task (it is about to run).
    pub no_assume_running: bool,
}

/// A file that could not be read or parsed: exit 2.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}: {message}")]
pub struct FileError {
    /// The file.
    pub file: String,
    /// 1-based line (1 when not known).
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

/// Why a check could not run.
#[derive(Debug, thiserror::Error)]
pub enum CheckError {
    /// A file is unreadable, malformed, or (named explicitly) not a recognised kind.
    #[error("{0}")]
    File(#[from] FileError),
    /// A path does not exist.
    #[error("{0}: no such file or directory")]
    Missing(PathBuf),
    /// The embedded database failed.
    #[error("the embedded database failed: {0}")]
    Store(#[from] assetql_store::StoreError),
    /// The GraphQL schema could not be built.
    #[error("{0}")]
    Engine(String),
    /// A control named with --control is not in the catalogue.
    #[error("no control {0:?} in the catalogue (see `assetql controls list`)")]
    UnknownControl(String),
}

/// A resource's verdict for one control: only failing and unknown ones are reported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// The control.
    pub control: String,
    /// The file.
    pub file: String,
    /// The resource.
    pub resource: String,
    /// 1-based line of the resource's block.
    pub line: usize,
    /// `fail` or `unknown`.
    pub status: &'static str,
    /// `ECSTaskDefinition`, …
    #[serde(rename = "assetType")]
    pub asset_type: &'static str,
    /// For `unknown`: the property paths whose values are not known before deploy.
    pub property: Option<String>,
}

/// A control's outcome over every file checked.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ControlOutcome {
    /// The control.
    pub id: String,
    /// `pass`, `fail`, `unknown` or `not_applicable` (no resource of its asset types).
    pub status: &'static str,
    /// How many resources fail it.
    pub failing: usize,
    /// How many resources it may fail, depending on values unknown before deploy.
    #[serde(skip)]
    pub unknown: usize,
    /// Why it could not be evaluated (a query error), if so: reported as unknown.
    #[serde(skip)]
    pub error: Option<String>,
}

/// The result of a check.
#[derive(Debug, Clone)]
pub struct Report {
    /// Files checked (recognised).
    pub files: Vec<String>,
    /// Files under a directory that are none of the recognised kinds (listed with --verbose).
    pub skipped: Vec<String>,
    /// Resources declared.
    pub resources: usize,
    /// Failing and unknown verdicts.
    pub results: Vec<Finding>,
    /// Each control evaluated.
    pub controls: Vec<ControlOutcome>,
}

impl Report {
    /// Whether a resource fails a control.
    pub fn has_findings(&self) -> bool {
        self.results.iter().any(|r| r.status == "fail")
    }

    /// Whether a verdict is unknown.
    pub fn has_unknowns(&self) -> bool {
        self.controls.iter().any(|c| c.status == "unknown")
    }
}
