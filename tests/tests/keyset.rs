//! Keyset cursors: paging a connection with `first` and `endCursor` gives exactly the rows of
//! one unpaged answer in the same order, whatever the sort (ties, nullable keys ascending and
//! descending, timestamps, the default order), on both databases and on both answer paths (raw
//! and the executor's); a cursor is refused under another sort; offset cursors still page.

use assetql_tests::fixtures::{self, at, epoch, ACCOUNT, REGION};
use assetql_tests::on_both_databases;
use assetql_tests::server::TestServer;
use serde_json::{json, Value as Json};

/// 24 revisions: six families, four revisions each, network modes with NULLs, registration
/// times with ties.
fn inventory() -> fixtures::Inventory {
    let mut inventory = fixtures::control_inventory(ACCOUNT, REGION);
    let modes = [
        Some("awsvpc"),
        None,
        Some("bridge"),
        Some("host"),
        None,
        Some("awsvpc"),
    ];
    for (f, family) in ["kappa", "alpha", "delta", "beta", "gamma", "epsilon"]
        .iter()
        .enumerate()
    {
        for revision in 1..=4_i64 {
            let mode = modes[(f + usize::try_from(revision).expect("small")) % modes.len()];
            let mut definition = fixtures::task_definition(
                ACCOUNT,
                REGION,
                &format!("ks-{family}"),
                revision,
                mode,
                vec![fixtures::container("app")],
            );
            definition["registeredAt"] = epoch(at((revision % 3) * 60));
            inventory.task_definitions.push(definition);
        }
    }
    inventory
}

fn connection(sort: &str, first: Option<u64>, after: Option<&str>, directive: &str) -> String {
    let first = first.map(|n| format!("first: {n}, ")).unwrap_or_default();
    let after = after
        .map(|a| format!("after: \"{a}\", "))
        .unwrap_or_default();
    format!(
        "{{ ecsTaskDefinitionsConnection({first}{after}sort: {sort}, where: {{family: {{startsWith: \"ks-\"}}}}) {directive} {{ \
           edges {{ cursor node {{ arn }} }} pageInfo {{ hasNextPage hasPreviousPage endCursor }} }} }}"
    )
}

fn arns(answer: &Json) -> Vec<String> {
    answer["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .map(|e| e["node"]["arn"].as_str().expect("arn").to_owned())
        .collect()
}

on_both_databases! {
    async fn pages_read_on_from_their_cursor_in_every_order(test_db: TestDb) {
        test_db.seed(&fixtures::scope(ACCOUNT, REGION), &inventory(), at(0)).await;
        let server = TestServer::start(test_db.db.clone()).await;
        let sorts = [
            "[{family: ASC}, {revision: DESC}]",
            "[{networkMode: ASC}]",
            "[{networkMode: DESC}, {family: DESC}]",
            "[{registeredAt: DESC}, {family: ASC}]",
            "[{registeredAt: ASC}]",
            "[]",
        ];
        for sort in sorts {
            for directive in ["", "@include(if: true)"] {
                let whole = server.graphql(&connection(sort, None, None, directive), None).await;
                let expected = arns(&whole.data()["ecsTaskDefinitionsConnection"]);
                assert_eq!(expected.len(), 24, "{sort}");
                let mut paged = Vec::new();
                let mut after: Option<String> = None;
                for page in 0.. {
                    let answer = server.graphql(&connection(sort, Some(5), after.as_deref(), directive), None).await;
                    let page_answer = &answer.data()["ecsTaskDefinitionsConnection"];
                    assert_eq!(page_answer["pageInfo"]["hasPreviousPage"], page > 0, "{sort} page {page}");
                    paged.extend(arns(page_answer));
                    // Every edge's cursor reads on from its own row.
                    if let Some(cursor) = page_answer["edges"][1]["cursor"].as_str() {
                        let from_second = server.graphql(&connection(sort, Some(2), Some(cursor), directive), None).await;
                        let next = arns(&from_second.data()["ecsTaskDefinitionsConnection"]);
                        let at = paged.len() - arns(page_answer).len() + 2;
                        assert_eq!(next, expected[at..(at + 2).min(expected.len())].to_vec(), "{sort} {directive} from an edge's cursor");
                    }
                    if page_answer["pageInfo"]["hasNextPage"] == false {
                        break;
                    }
                    after = page_answer["pageInfo"]["endCursor"].as_str().map(str::to_owned);
                    assert!(page < 10, "{sort}: paging does not end");
                }
                assert_eq!(paged, expected, "{sort} {directive}");
            }
        }
    }

    async fn a_cursor_belongs_to_its_sort_and_offset_cursors_still_page(test_db: TestDb) {
        test_db.seed(&fixtures::scope(ACCOUNT, REGION), &inventory(), at(0)).await;
        let server = TestServer::start(test_db.db.clone()).await;
        let first = server.graphql(&connection("[{family: ASC}]", Some(3), None, ""), None).await;
        let end = first.data()["ecsTaskDefinitionsConnection"]["pageInfo"]["endCursor"]
            .as_str().expect("a cursor").to_owned();
        let other = server.graphql(&connection("[{family: DESC}]", Some(3), Some(&end), ""), None).await;
        assert_eq!(other.error_codes(), ["BAD_USER_INPUT"]);
        assert!(other.body.to_string().contains("another sort"), "{}", other.body);
        // A Relay offset cursor (what this API returned before keyset cursors): row 2 is the
        // third, so the page starts at the fourth.
        let whole = server.graphql(&connection("[{family: ASC}]", None, None, ""), None).await;
        let expected = arns(&whole.data()["ecsTaskDefinitionsConnection"]);
        let offset = server.graphql(&connection("[{family: ASC}]", Some(2), Some("YXJyYXljb25uZWN0aW9uOjI="), ""), None).await;
        assert_eq!(arns(&offset.data()["ecsTaskDefinitionsConnection"]), expected[3..5].to_vec());
        // A forged keyset cursor with values of the wrong type is refused, not run.
        let forged = base64_cursor(&json!({"o": 1, "s": "EcsTaskDefinition:family+", "k": [7, "x"]}));
        let refused = server.graphql(&connection("[{family: ASC}]", Some(2), Some(&forged), ""), None).await;
        assert_eq!(refused.error_codes(), ["BAD_USER_INPUT"]);
        // Cursors naming the last possible row (no row after it) are refused, not wrapped round
        // to the first page.
        use base64::Engine as _;
        let last = u64::MAX;
        let offset_max = base64::engine::general_purpose::STANDARD.encode(format!("arrayconnection:{last}"));
        let keyset_max = base64_cursor(&json!({"o": last, "s": "EcsTaskDefinition:family+", "k": ["a", "b"]}));
        for cursor in [offset_max, keyset_max] {
            let answer = server.graphql(&connection("[{family: ASC}]", Some(2), Some(&cursor), ""), None).await;
            assert_eq!(answer.error_codes(), ["BAD_USER_INPUT"], "{}", answer.body);
        }
    }
}

fn base64_cursor(value: &Json) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(format!("keyset:{value}"))
}
