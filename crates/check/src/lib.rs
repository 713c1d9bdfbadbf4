//! `assetql check`: the stored controls, through the same GraphQL engine, on what is about to be
//! deployed. Task-definition JSON, CloudFormation templates (JSON and YAML) and Terraform plans
//! become the API-shaped documents a sync reads (the catalogue turns both into the same rows),
//! are loaded into an in-memory embedded database, and the controls run on it. A value that is
//! not known before deploy is unknown, never absent-and-passing: the controls run again with it
//! absent, set to each literal the controls mention, and set to a fresh value, and a resource
//! whose verdict changes is reported `unknown` for that control.

mod cfn;
mod discover;
mod evaluate;
mod hcl;
mod lines;
mod model;
mod report;
mod structure;
mod taskdef;
mod tfplan;
mod value;

pub use discover::{discover, Discovered};
pub use evaluate::evaluate;
pub use model::{CheckError, ControlOutcome, Declared, FileError, Finding, Kind, Options, Report};
pub use report::{render, Format};
