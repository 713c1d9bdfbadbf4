//! Stored controls: a control is a GraphQL query plus an expected result (`eq []` = compliant).
//! The catalogue loads controls from assetql's own TOML files and from the public catalogue's
//! JSON layout; the runner evaluates them through the same GraphQL engine as the API, applies
//! exceptions, and records each run with its findings; reports render runs for people and CI.

mod backend;
mod catalogue;
mod docs;
mod report;
mod run;

pub use backend::{CatalogueBackend, ResyncError, Resyncer, RunObserver};
pub use catalogue::{Catalogue, Check, Comparator, Control, Expected, Origin, Rejected, Severity};
pub use docs::markdown;
pub use report::{render, sarif_level, sarif_rule, xml_escape, Format, Overall};
pub use run::{new_exception, ExceptionError, Runner, DEFAULT_MAX_DATA_AGE};
