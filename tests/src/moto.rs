//! The moto server that `scripts/test` starts: seeding it through its own API (a boto3 script
//! in `tests/python/seed.py`) and pointing the AWS SDK at it.

use std::io::Write;
use std::process::{Command, Stdio};

use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_credential_types::Credentials;
use serde_json::Value as Json;

/// A running moto server.
#[derive(Debug, Clone)]
pub struct Moto {
    /// Its base URL.
    pub url: String,
    python: String,
}

impl Moto {
    /// The server named by `ASSETQL_TEST_MOTO_URL` (set by `scripts/test`).
    pub fn from_env() -> Self {
        let url = std::env::var("ASSETQL_TEST_MOTO_URL").unwrap_or_else(|_| {
            panic!(
                "ASSETQL_TEST_MOTO_URL is not set: run the suite with `scripts/test`, which starts \
                 a moto server in a Python venv, or start one yourself (`python tests/python/moto_server.py -p PORT`) and \
                 set ASSETQL_TEST_MOTO_URL=http://127.0.0.1:PORT and ASSETQL_TEST_PYTHON to a \
                 python with boto3."
            )
        });
        let python = std::env::var("ASSETQL_TEST_PYTHON").unwrap_or_else(|_| "python3".to_owned());
        Moto { url, python }
    }

    /// Runs `actions` (see `tests/python/seed.py`) as `account` in `region`; returns one result
    /// per action.
    pub fn seed(&self, account: &str, region: &str, actions: Json) -> Vec<Json> {
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/python/seed.py");
        let mut child = Command::new(&self.python)
            .args([script, &self.url, account, region])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("run the moto seeding script");
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(actions.to_string().as_bytes())
            .expect("write actions");
        let output = child.wait_with_output().expect("seeding finishes");
        assert!(
            output.status.success(),
            "seeding failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        serde_json::from_slice(&output.stdout).expect("seeding prints JSON")
    }

    /// SDK configuration for moto: its endpoint, dummy keys, us-east-1, `attempts` tries.
    pub async fn sdk_config(&self) -> SdkConfig {
        sdk_config_for(&self.url).await
    }
}

/// SDK configuration for any endpoint with dummy credentials (e.g. an unreachable one).
pub async fn sdk_config_for(endpoint: &str) -> SdkConfig {
    aws_config::defaults(BehaviorVersion::latest())
        .endpoint_url(endpoint)
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new(
            "testing",
            "testing",
            None,
            None,
            "assetql-tests",
        ))
        .load()
        .await
}

/// A fresh 12-digit AWS account id, so that tests sharing one moto server never see each
/// other's resources.
pub fn random_account() -> String {
    let n = uuid::Uuid::new_v4().as_u128() % 900_000_000_000 + 100_000_000_000;
    n.to_string()
}
