//! The synthetic inventory generator: deterministic from its seed, with the proportions the
//! benchmarks assume.

use assetql_model::TenantId;
use assetql_server::generate::generate;
use assetql_tests::{Backend, TestDb};

async fn hashes(test_db: &TestDb) -> Vec<String> {
    let mut out: Vec<String> = test_db
        .dump("ecs_task_definitions")
        .await
        .iter()
        .map(|r| format!("{} {}", r["arn"], r["content_hash"]))
        .collect();
    out.sort();
    out
}

#[tokio::test]
async fn the_same_seed_writes_the_same_inventory_in_realistic_proportions() {
    let tenant = TenantId::default_tenant();
    let a = TestDb::new(Backend::Sqlite).await;
    // Another database, batch size and concurrency (PostgreSQL writes three scopes at once).
    let b = TestDb::new(Backend::Postgres).await;
    let report = generate(&a.db, &tenant, 1_200, 7, 250, 1)
        .await
        .expect("generate");
    let again = generate(&b.db, &tenant, 1_200, 7, 500, 3)
        .await
        .expect("generate again");
    assert_eq!(report.task_definitions, 1_200);
    assert_eq!(a.count("ecs_task_definitions").await, 1_200);
    assert_eq!(
        a.count("ecs_container_specs").await,
        i64::try_from(report.container_specs).expect("fits")
    );
    let per_revision = report.container_specs as f64 / 1_200.0;
    assert!(
        (2.5..=3.5).contains(&per_revision),
        "about 3 containers per revision: {per_revision}"
    );
    let host = a
        .dump("ecs_task_definitions")
        .await
        .iter()
        .filter(|d| d["network_mode"] == "host")
        .count();
    assert!(
        (60..=180).contains(&host),
        "about 10% host network mode: {host}"
    );
    let in_use = a.count("ecs_tasks").await;
    assert!(report.tasks > 0 && in_use == i64::try_from(report.tasks).expect("fits"));
    assert_eq!(
        hashes(&a).await,
        hashes(&b).await,
        "deterministic from the seed, whatever the batch size, database and concurrency"
    );
    assert_eq!(
        (again.container_specs, again.env_entries, again.tasks),
        (report.container_specs, report.env_entries, report.tasks)
    );
    assert_eq!(
        b.count("ecs_container_specs").await,
        a.count("ecs_container_specs").await
    );
    let other = TestDb::new(Backend::Sqlite).await;
    generate(&other.db, &tenant, 1_200, 8, 250, 1)
        .await
        .expect("generate");
    assert_ne!(
        hashes(&a).await,
        hashes(&other).await,
        "another seed, another inventory"
    );
}
