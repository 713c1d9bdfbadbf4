//! `assetql check` on 1,000 task-definition files (issue #17: <= 2 s on the 2-core machine):
//! reading and recognising the files, converting them, loading them into the embedded
//! database and running every built-in control, with no database server, network or AWS
//! credentials. The files are generated (deterministic): 1-3 containers each, a mix of network
//! modes, users, privileged and read-only flags, all with log configurations and tags, no
//! value unknown before deploy.
//!
//! `cargo bench -p assetql-check --bench check`

#![allow(missing_docs)] // criterion_group! generates undocumented items.

use std::path::Path;

use assetql_check::{discover, evaluate, Options};
use assetql_controls::Catalogue;
use criterion::{criterion_group, criterion_main, Criterion};
use serde_json::json;

fn write_files(dir: &Path, count: usize) {
    let mut seed: u64 = 1;
    let mut next = move || {
        seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
        seed >> 33
    };
    for i in 0..count {
        let containers: Vec<_> = (0..=(next() % 3))
            .map(|c| {
                let mut container = json!({
                    "name": format!("c{c}"),
                    "image": format!("registry.example/app{c}:1"),
                    "essential": c == 0,
                    "privileged": next() % 20 == 0,
                    "readonlyRootFilesystem": next() % 2 == 0,
                    "environment": [{"name": "LOG_LEVEL", "value": "info"}],
                    "logConfiguration": {"logDriver": "awslogs", "options": {"awslogs-group": format!("/ecs/svc{i}")}},
                });
                match next() % 3 {
                    0 => container["user"] = json!("1000"),
                    1 => container["user"] = json!("root"),
                    _ => {}
                }
                container
            })
            .collect();
        let modes = ["awsvpc", "bridge", "host"];
        let definition = json!({
            "family": format!("svc{i}"),
            "networkMode": modes[usize::try_from(next() % 3).unwrap_or(0)],
            "containerDefinitions": containers,
            "tags": [{"key": "team", "value": "t"}],
        });
        let text = serde_json::to_string_pretty(&definition).unwrap_or_default();
        std::fs::write(dir.join(format!("td{i:04}.json")), text).unwrap_or_default();
    }
}

fn bench(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("temp dir: {e}"));
    write_files(dir.path(), 1_000);
    let catalogue = Catalogue::builtin();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap_or_else(|e| panic!("runtime: {e}"));
    let mut group = c.benchmark_group("check");
    group.sample_size(10);
    group.bench_function("task_definition_files/1000", |b| {
        b.iter(|| {
            runtime.block_on(async {
                let found =
                    discover(&[dir.path().to_owned()], false).unwrap_or_else(|e| panic!("{e}"));
                let report = evaluate(&found, &catalogue, &Options::default())
                    .await
                    .unwrap_or_else(|e| panic!("{e}"));
                assert_eq!(report.resources, 1_000);
                report
            })
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
