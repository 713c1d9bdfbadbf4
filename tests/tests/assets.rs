//! GraphiQL is served from the binary: the page references only the server's own assets, each
//! is served with its content type, and the vendored files are the ones `SHA256SUMS` pins.

use std::path::PathBuf;

use assetql_tests::server::TestServer;
use assetql_tests::TestDb;
use sha2::{Digest, Sha256};

fn assets_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../crates/server/assets")
}

#[tokio::test]
async fn graphiql_loads_nothing_from_the_internet() {
    let test_db = TestDb::new(assetql_tests::Backend::Sqlite).await;
    let server = TestServer::start(test_db.db.clone()).await;
    let (status, page) = server.get("/graphql").await;
    assert_eq!(status, 200);
    assert!(
        !page.contains("http://") && !page.contains("https://") && !page.contains("//unpkg"),
        "{page}"
    );
    let sources: Vec<&str> = page
        .split(['"', '\''])
        .filter(|s| s.starts_with("/assets/"))
        .collect();
    assert_eq!(sources.len(), 5, "{sources:?}");
    for source in sources {
        let (status, body) = server.get(source).await;
        assert_eq!(status, 200, "{source}");
        assert!(body.len() > 100, "{source}");
    }
    let (status, _) = server.get("/assets/graphiql-3.8.3/nope.js").await;
    assert_eq!(status, 404);
    // The posture page too: only the server's own files.
    let (status, page) = server.get("/").await;
    assert_eq!(status, 200);
    assert!(
        !page.contains("http://") && !page.contains("https://"),
        "{page}"
    );
    for source in page.split('"').filter(|s| s.starts_with("/assets/")) {
        assert_eq!(server.get(source).await.0, 200, "{source}");
    }
}

#[test]
fn the_vendored_files_are_the_pinned_ones() {
    let sums = std::fs::read_to_string(assets_dir().join("SHA256SUMS")).expect("SHA256SUMS");
    let mut checked = 0;
    for line in sums.lines() {
        let (sum, file) = line.split_once("  ").expect("`sum  file` lines");
        let bytes = std::fs::read(assets_dir().join(file)).expect("the file");
        assert_eq!(hex::encode(Sha256::digest(&bytes)), sum, "{file}");
        checked += 1;
    }
    assert_eq!(checked, 7);
}
