//! GraphQL schema generated from the asset catalogue, in the legacy and current Neo4j dialects (arrives with the query engine).
