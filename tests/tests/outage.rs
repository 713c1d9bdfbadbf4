//! PostgreSQL stopped and restarted under a running server: 503 with DATABASE_UNAVAILABLE during
//! the outage, answered within the connection timeout, and 200 again afterwards without
//! restarting assetql. The test runs its own throwaway cluster so it can stop it.

use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

use assetql_store::{Database, PoolOptions};
use assetql_tests::server::TestServer;

fn pg_bin() -> PathBuf {
    let on_path = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .unwrap_or_default()
        .into_iter()
        .find(|d| d.join("initdb").exists() && d.join("pg_ctl").exists());
    let versioned = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .filter_map(Result::ok)
        .map(|e| e.path().join("bin"))
        .find(|d| d.join("initdb").exists());
    on_path.or(versioned).expect(
        "PostgreSQL server binaries (initdb, pg_ctl) are needed: apt-get install postgresql",
    )
}

struct Cluster {
    bin: PathBuf,
    dir: tempfile::TempDir,
    port: u16,
    as_postgres: bool,
}

impl Cluster {
    fn command(&self, program: &str) -> Command {
        let path = self.bin.join(program);
        if self.as_postgres {
            let mut command = Command::new("runuser");
            command.args(["-u", "postgres", "--"]).arg(path);
            command
        } else {
            Command::new(path)
        }
    }

    fn data(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    fn start(&self) {
        let options = format!(
            "-c listen_addresses=127.0.0.1 -p {} -k {} -c fsync=off",
            self.port,
            self.dir.path().display()
        );
        let status = self
            .command("pg_ctl")
            .arg("-D")
            .arg(self.data())
            .args(["-w", "-t", "60", "-l"])
            .arg(self.dir.path().join("log"))
            .args(["-o", &options, "start"])
            .status()
            .expect("pg_ctl start");
        assert!(status.success());
    }

    fn stop(&self) {
        let status = self
            .command("pg_ctl")
            .arg("-D")
            .arg(self.data())
            .args(["-m", "fast", "-w", "stop"])
            .status()
            .expect("pg_ctl stop");
        assert!(status.success());
    }

    fn new() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let as_postgres = Command::new("id")
            .arg("-u")
            .output()
            .is_ok_and(|o| o.stdout.starts_with(b"0\n"));
        if as_postgres {
            let owned = Command::new("chown")
                .arg("postgres")
                .arg(dir.path())
                .status()
                .expect("chown");
            assert!(owned.success());
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("free port")
            .port();
        let cluster = Cluster {
            bin: pg_bin(),
            dir,
            port,
            as_postgres,
        };
        let status = cluster
            .command("initdb")
            .arg("-D")
            .arg(cluster.data())
            .args(["-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C"])
            .stdout(std::process::Stdio::null())
            .status()
            .expect("initdb");
        assert!(status.success());
        cluster.start();
        cluster
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let _ = self
            .command("pg_ctl")
            .arg("-D")
            .arg(self.data())
            .args(["-m", "immediate", "stop"])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status();
    }
}

#[tokio::test]
async fn the_server_answers_503_during_an_outage_and_recovers_by_itself() {
    let cluster = Cluster::new();
    let url = format!("postgres://postgres@127.0.0.1:{}/postgres", cluster.port);
    let options = PoolOptions {
        max_connections: 4,
        acquire_timeout: Duration::from_secs(2),
        statement_timeout: None,
        custom_plans: false,
        tenant_key: None,
    };
    let db = Database::connect(&url, &options).await.expect("connect");
    db.migrate().await.expect("migrate");
    let server = TestServer::start(db.clone()).await;
    let query = "{ ecsClusters { arn } }";
    assert_eq!(server.graphql(query, None).await.status, 200);

    cluster.stop();
    let started = Instant::now();
    let down = server.graphql(query, None).await;
    assert_eq!(down.status, 503, "{}", down.body);
    assert_eq!(down.error_codes(), ["DATABASE_UNAVAILABLE"]);
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "answered within the timeout"
    );
    let (ready, _) = server.get("/readyz").await;
    assert_eq!(ready, 503);

    cluster.start();
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let up = server.graphql(query, None).await;
        if up.status == 200 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the server did not recover: {}",
            up.body
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let (ready, _) = server.get("/readyz").await;
    assert_eq!(ready, 200);
}
