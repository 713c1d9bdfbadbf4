//! The GraphQL surface of assetql: one fully typed schema per Neo4j dialect generated from the
//! asset catalogue, and [`Engine::execute`], which runs a request in the dialect it validates
//! against (current first, legacy second, or the one the client names), supplies the stored
//! controls' `AssetFragment` when a document spreads it without defining it, and gives every
//! error an `extensions.code`.

mod cacheable;
mod connection;
mod connection_field;
mod context;
mod controls_api;
mod count;
mod engine;
mod error;
#[cfg(test)]
mod faults;
mod fragment;
mod gate;
mod limits;
mod plan_cache;
mod raw;
mod resolve;
mod run;
mod schema;
mod statement;
mod warning;

pub use cacheable::cacheable;
pub use context::{BoxFuture, ControlSummary, ControlsBackend, RequestContext, ResyncScope};
pub use engine::{Engine, Executed, GraphQLRequest, PlannedStatement, SchemaBuildError};
pub use fragment::{with_asset_fragment, ASSET_FRAGMENT};
pub use gate::StatementGate;
pub use limits::{Limits, MAX_NESTING};

#[cfg(test)]
mod tests;

#[cfg(test)]
mod drift {
    use super::*;
    use assetql_sql::QueryDialect;

    fn checked_in(file: &str) -> String {
        let path = format!("{}/../../{file}", env!("CARGO_MANIFEST_DIR"));
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {path}: {e}"))
    }

    #[test]
    fn checked_in_sdl_matches_the_generated_schemas() {
        let engine = Engine::new().expect("schemas build");
        assert!(
            checked_in("schema.graphql") == engine.sdl(QueryDialect::Current),
            "schema.graphql is stale: run `cargo run -- schema > schema.graphql`"
        );
        assert!(
            checked_in("schema.legacy.graphql") == engine.sdl(QueryDialect::Legacy),
            "schema.legacy.graphql is stale: run `cargo run -- schema --dialect legacy > schema.legacy.graphql`"
        );
    }
}
