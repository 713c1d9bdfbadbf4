//! ECS collector: accounts x regions, incremental sync into the store (arrives with the ingestion worker).
