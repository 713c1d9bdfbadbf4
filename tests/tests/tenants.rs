//! Bearer tokens and tenant isolation: two tenants with overlapping ARNs and names; a token of
//! one never returns or counts the other's rows through any root field, connection, aggregate,
//! interface query, nested relationship, or the controls API, in either dialect.

use assetql_model::{Scope, TenantId};
use assetql_tests::fixtures::{self, at, ACCOUNT, REGION};
use assetql_tests::on_both_databases;
use assetql_tests::server::TestServer;
use serde_json::Value as Json;

fn scope(tenant: &str) -> Scope {
    Scope {
        tenant: TenantId::parse(tenant).expect("tenant"),
        ..fixtures::scope(ACCOUNT, REGION)
    }
}

fn all_strings<'a>(value: &'a Json, key: &str, out: &mut Vec<&'a str>) {
    match value {
        Json::Object(o) => {
            for (k, v) in o {
                if k == key {
                    if let Some(s) = v.as_str() {
                        out.push(s);
                    }
                }
                all_strings(v, key, out);
            }
        }
        Json::Array(items) => items.iter().for_each(|i| all_strings(i, key, out)),
        _ => {}
    }
}

on_both_databases! {
    async fn a_token_sees_only_its_tenant(test_db: TestDb) {
        let acme_inventory = fixtures::control_inventory(ACCOUNT, REGION);
        let mut globex_inventory = fixtures::control_inventory(ACCOUNT, REGION);
        globex_inventory.task_definitions.push(fixtures::task_definition(ACCOUNT, REGION, "globex-only", 1, Some("host"), vec![fixtures::container("app")]));
        test_db.seed(&scope("acme"), &acme_inventory, at(0)).await;
        test_db.seed(&scope("globex"), &globex_inventory, at(0)).await;
        let db = &test_db.db;
        let acme = TenantId::parse("acme").expect("tenant");
        let globex = TenantId::parse("globex").expect("tenant");
        let acme_token = "aq_acme_token_for_tests";
        let globex_token = "aq_globex_token_for_tests";
        db.create_api_token(&acme, "t", acme_token, None).await.expect("token");
        db.create_api_token(&globex, "t", globex_token, None).await.expect("token");
        let revoked = db.create_api_token(&acme, "old", "aq_revoked", None).await.expect("token");
        db.revoke_api_token(revoked).await.expect("revoke");
        db.create_api_token(&acme, "expired", "aq_expired", Some(chrono::Utc::now() - chrono::Duration::minutes(1))).await.expect("token");

        let server = TestServer::start_with_auth(db.clone(), true).await;
        let query = "{ ecsClusters { arn } }";
        for token in [None, Some("aq_unknown"), Some("aq_revoked"), Some("aq_expired")] {
            let response = server.graphql_as(query, token).await;
            assert_eq!(response.status, 401, "{token:?}");
            assert_eq!(response.error_codes(), ["UNAUTHENTICATED"]);
        }

        let queries = [
            "{ ecsTaskDefinitions { accountID task { accountID } tasks { accountID } services { accountID } } }",
            "{ ecsTaskDefinitionsConnection(first: 3) { totalCount edges { node { accountID } } } }",
            "{ ecsTaskDefinitionsAggregate { count } }",
            "{ ecsTaskDefinitionsConnection { aggregate { count { nodes } } } }",
            "{ assets { accountID } }",
            "{ ecsClusters { accountID services { accountID } tasks { accountID } } }",
            "{ ecsTasks { accountID taskDefinition { accountID } cluster { accountID } } }",
            "{ ecsServices { accountID cluster { accountID } taskDefinition { accountID } } }",
            r#"{ ecsTaskDefinitions(where: {family: "globex-only"}) { arn } }"#,
        ];
        let mut answers = Vec::new();
        for (tenant, token, definitions) in [("acme", acme_token, 25), ("globex", globex_token, 26)] {
            let mut bodies = Vec::new();
            for query in queries {
                let response = server.graphql_as(query, Some(token)).await;
                let data = response.data().clone();
                let mut tenants = Vec::new();
                all_strings(&data, "accountID", &mut tenants);
                assert!(tenants.iter().all(|t| *t == tenant), "{tenant}: {query} leaked {tenants:?}");
                bodies.push(data);
            }
            assert_eq!(bodies[0]["ecsTaskDefinitions"].as_array().map(Vec::len), Some(definitions));
            assert_eq!(bodies[1]["ecsTaskDefinitionsConnection"]["totalCount"], definitions);
            assert_eq!(bodies[2]["ecsTaskDefinitionsAggregate"]["count"], definitions);
            assert_eq!(bodies[3]["ecsTaskDefinitionsConnection"]["aggregate"]["count"]["nodes"], definitions);
            assert_eq!(bodies[8]["ecsTaskDefinitions"].as_array().map(Vec::len), Some(usize::from(tenant == "globex")));
            answers.push(bodies);
        }

        // The controls API: runs, findings and exceptions stay with their tenant.
        let run = server.graphql_as("mutation { runControls(controlId: \"aws-ecs-4-containers-not-privileged\") { failingCount } }", Some(acme_token)).await;
        assert_eq!(run.data()["runControls"][0]["failingCount"], 3);
        let other = server.graphql_as("{ controls { id latestRun { status } } controlRuns { id } }", Some(globex_token)).await;
        assert!(other.data()["controls"].as_array().expect("controls").iter().all(|c| c["latestRun"].is_null()));
        assert_eq!(other.data()["controlRuns"], serde_json::json!([]));
        let finding = server.graphql_as("{ findings(controlId: \"aws-ecs-4-containers-not-privileged\") { assetIdentifier asset { accountID } } }", Some(acme_token)).await;
        let findings = finding.data()["findings"].as_array().expect("findings").clone();
        assert_eq!(findings.len(), 3);
        assert!(findings.iter().all(|f| f["asset"]["accountID"] == "acme"));
        let target = findings[0]["assetIdentifier"].as_str().expect("id").to_owned();
        let created = server
            .graphql_as(&format!("mutation {{ createControlException(controlId: \"aws-ecs-4-containers-not-privileged\", assetIdentifier: \"{target}\", owner: \"o\", reason: \"r\", expiresAt: \"2099-01-01T00:00:00Z\") {{ id }} }}"), Some(acme_token))
            .await;
        let id = created.data()["createControlException"]["id"].as_str().expect("id").to_owned();
        let foreign = server.graphql_as(&format!("mutation {{ revokeControlException(id: \"{id}\") }}"), Some(globex_token)).await;
        assert_eq!(foreign.data()["revokeControlException"], false, "another tenant cannot revoke it");
        let theirs = server.graphql_as("{ exceptions { id } }", Some(globex_token)).await;
        assert_eq!(theirs.data()["exceptions"], serde_json::json!([]));
        let ours = server.graphql_as("{ exceptions { id active } }", Some(acme_token)).await;
        assert_eq!(ours.data()["exceptions"], serde_json::json!([{"id": id, "active": true}]));
    }
}

/// The query path can run on a read-only PostgreSQL role; writes keep using the writer.
#[tokio::test]
async fn the_query_path_runs_on_a_read_only_role() {
    use assetql_store::{Database, PoolOptions};
    let test_db = assetql_tests::TestDb::new(assetql_tests::Backend::Postgres).await;
    test_db
        .seed(
            &scope("default"),
            &fixtures::control_inventory(ACCOUNT, REGION),
            at(0),
        )
        .await;
    let role = format!("assetql_reader_{}", uuid::Uuid::new_v4().simple());
    test_db
        .db
        .create_reader_role(&role, "s3cret-pass")
        .await
        .expect("create the reader role");
    let reader_url = test_db
        .url
        .replacen("://", &format!("://{role}:s3cret-pass@"), 1);
    let reader_url = match reader_url.split_once('@') {
        // Drop the writer's user from the userinfo: "://role:pw@postgres@host" -> "://role:pw@host".
        Some((userinfo, rest)) => format!(
            "{userinfo}@{}",
            rest.split_once('@').map_or(rest, |(_, host)| host)
        ),
        None => reader_url,
    };
    // Someone with the reader's password but not the deployment's tenant key names a tenant
    // in vain: the policies honour `assetql.tenant` only in a session that holds the key.
    let intruder = Database::connect(&reader_url, &PoolOptions::default())
        .await
        .expect("connect as the reader, without the key");
    let Database::Postgres(intruder_pool) = &intruder else {
        panic!("postgres")
    };
    let mut session = intruder_pool.begin().await.expect("transaction");
    sqlx::query("SELECT set_config('assetql.tenant', 'default', true), set_config('assetql.key', 'guess', true)")
        .execute(&mut *session)
        .await
        .expect("set the tenant");
    let seen: i64 = sqlx::query_scalar("SELECT count(*) FROM ecs_task_definitions")
        .fetch_one(&mut *session)
        .await
        .expect("count");
    assert_eq!(seen, 0, "a forged tenant setting shows no row");
    let key: Result<i64, _> = sqlx::query_scalar("SELECT count(*) FROM assetql_tenant_key")
        .fetch_one(&mut *session)
        .await;
    assert!(key.is_err(), "the reader cannot read the tenant key");
    drop(session);
    intruder.close().await;

    let tenant_key = test_db.db.tenant_key().await.expect("read the tenant key");
    assert!(
        tenant_key.as_ref().is_some_and(|k| k.len() >= 60),
        "{tenant_key:?}"
    );
    let reader = Database::connect(
        &reader_url,
        &PoolOptions {
            tenant_key,
            ..PoolOptions::default()
        },
    )
    .await
    .expect("connect as the reader");

    let Database::Postgres(pool) = &reader else {
        panic!("postgres")
    };
    let write = sqlx::query("INSERT INTO tenants (id, name) VALUES ('x', 'x')")
        .execute(pool)
        .await;
    assert!(
        write.is_err_and(|e| e.to_string().contains("permission denied")),
        "the reader cannot write"
    );
    // Nor read the token hashes or the tenant list, which have no row-level policy.
    for table in ["api_tokens", "tenants"] {
        let read = sqlx::query(&format!("SELECT count(*) FROM {table}"))
            .execute(pool)
            .await;
        assert!(
            read.is_err_and(|e| e.to_string().contains("permission denied")),
            "the reader cannot read {table}"
        );
    }

    let server = TestServer::start_full(
        test_db.db.clone(),
        reader.clone(),
        false,
        assetql_graphql::Limits::default(),
        true,
    )
    .await;
    let listed = server
        .graphql("{ ecsTaskDefinitionsConnection { totalCount } }", None)
        .await;
    assert_eq!(
        listed.data()["ecsTaskDefinitionsConnection"]["totalCount"],
        25
    );
    let run = server
        .graphql(
            "mutation { runControls(controlId: \"aws-ecs-3-process-name-space\") { status } }",
            None,
        )
        .await;
    assert_eq!(
        run.data()["runControls"][0]["status"],
        "fail",
        "control runs are written by the writer"
    );
    let history = server.graphql("{ controlRuns { controlId } }", None).await;
    assert_eq!(
        history.data()["controlRuns"].as_array().map(Vec::len),
        Some(1),
        "and read back by the reader"
    );

    drop(server);
    reader.close().await;
    let Database::Postgres(writer) = &test_db.db else {
        panic!("postgres")
    };
    for statement in [format!("DROP OWNED BY {role}"), format!("DROP ROLE {role}")] {
        sqlx::query(&statement)
            .execute(writer)
            .await
            .expect("drop the role");
    }
}
