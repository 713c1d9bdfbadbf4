//! `assetql check` as users run it: the real binary, exit codes, and every command line that
//! docs/predeploy.md and .pre-commit-hooks.yaml document, run against a copy of the corpus as
//! `deploy/`, so the CI examples stay true.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create dir");
    for entry in std::fs::read_dir(from).expect("read dir") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).expect("copy");
        }
    }
}

/// A temporary working directory with the corpus as `deploy/`.
fn workdir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    copy_dir(
        &repo().join("tests/fixtures/predeploy"),
        &dir.path().join("deploy"),
    );
    dir
}

/// Runs a documented shell line with `assetql` being the binary under test.
fn shell(dir: &Path, line: &str) -> Output {
    let bin = Path::new(env!("CARGO_BIN_EXE_assetql"));
    let bin_dir = bin.parent().expect("bin dir");
    Command::new("sh")
        .arg("-c")
        .arg(line)
        .current_dir(dir)
        .env(
            "PATH",
            format!(
                "{}:{}",
                bin_dir.display(),
                std::env::var("PATH").unwrap_or_default()
            ),
        )
        .env("RUST_LOG", "warn")
        .output()
        .expect("run sh")
}

/// The `assetql check` command lines of the documentation's CI examples.
fn documented_lines() -> Vec<String> {
    let doc = std::fs::read_to_string(repo().join("docs/predeploy.md")).expect("docs/predeploy.md");
    let mut lines: Vec<String> = doc
        .lines()
        .map(str::trim)
        .filter_map(|l| {
            l.strip_prefix("- run: ")
                .or_else(|| l.strip_prefix("- "))
                .filter(|l| l.starts_with("assetql check"))
        })
        .map(str::to_owned)
        .collect();
    // The container example: what the image runs after its entry point.
    for l in doc.lines().filter(|l| l.starts_with("docker run")) {
        let args = l
            .split_once("assetql:latest ")
            .map(|(_, a)| a)
            .expect("image name");
        lines.push(format!("assetql {}", args.replace("/deploy", "deploy")));
    }
    // The pre-commit hook, given the files a commit touches.
    let hooks = std::fs::read_to_string(repo().join(".pre-commit-hooks.yaml")).expect("hooks");
    let entry = hooks
        .lines()
        .find_map(|l| l.trim().strip_prefix("entry: "))
        .expect("the hook's entry");
    lines.push(format!(
        "{entry} deploy/taskdef/register-web.json deploy/notes.txt deploy/cfn/stack.yaml"
    ));
    lines
}

#[test]
fn the_documented_ci_command_lines_run_as_documented() {
    let lines = documented_lines();
    assert!(lines.len() >= 6, "{lines:?}");
    for line in &lines {
        let dir = workdir();
        let output = shell(dir.path(), line);
        let stderr = String::from_utf8_lossy(&output.stderr);
        let code = output.status.code();
        if line.contains("--fail-on-findings") {
            assert_eq!(code, Some(1), "{line}: the corpus has findings; {stderr}");
        } else {
            assert_eq!(code, Some(0), "{line}: {stderr}");
        }
        if let Some(file) = line.split("> ").nth(1) {
            let written =
                std::fs::read_to_string(dir.path().join(file.trim())).expect("the report file");
            if file.ends_with(".sarif") {
                let sarif: serde_json::Value =
                    serde_json::from_str(&written).expect("SARIF is JSON");
                assert_eq!(sarif["version"], "2.1.0");
                let uri = sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
                    ["artifactLocation"]["uri"]
                    .as_str()
                    .expect("uri");
                assert!(uri.starts_with("deploy/"), "paths as given: {uri}");
            } else {
                assert!(
                    written.starts_with("<?xml")
                        && written.contains("<testsuites name=\"assetql check\""),
                    "{written}"
                );
            }
        }
    }
}

#[test]
fn exit_codes_say_clean_findings_unknowns_and_errors() {
    let dir = workdir();
    let run = |args: &str| shell(dir.path(), &format!("assetql check {args}"));
    // A compliant task definition: clean, even with both fail flags.
    let clean = run("--fail-on-findings --fail-on-unknown deploy/taskdef/describe-worker.json");
    assert_eq!(
        clean.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&clean.stderr)
    );
    // Findings are reported but exit 0 unless asked.
    assert_eq!(
        run("deploy/taskdef/register-web.json").status.code(),
        Some(0)
    );
    assert_eq!(
        run("--fail-on-findings deploy/taskdef/register-web.json")
            .status
            .code(),
        Some(1)
    );
    // stack.yaml's only task definition verdict that depends on an unknown: exit 1 only with
    // --fail-on-unknown (restricted to that control, nothing else fails).
    let unknown = run("--control aws-fsbp-ecs-20 --fail-on-findings deploy/cfn/stack.yaml");
    assert_eq!(
        unknown.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&unknown.stdout)
    );
    assert!(String::from_utf8_lossy(&unknown.stdout).contains("ApiTask  aws-fsbp-ecs-20  unknown"));
    assert_eq!(
        run("--control aws-fsbp-ecs-20 --fail-on-unknown deploy/cfn/stack.yaml")
            .status
            .code(),
        Some(1)
    );
    // Errors: 2, naming file and line.
    std::fs::write(
        dir.path().join("broken.yaml"),
        "Resources:\n  A: [unclosed\n",
    )
    .expect("write");
    let broken = run("broken.yaml");
    assert_eq!(broken.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&broken.stderr).contains("broken.yaml:"),
        "{}",
        String::from_utf8_lossy(&broken.stderr)
    );
    assert_eq!(
        run("deploy/notes.txt").status.code(),
        Some(2),
        "named explicitly, not a recognised kind"
    );
    assert_eq!(
        run("--control no-such-control deploy/").status.code(),
        Some(2)
    );
    assert_eq!(run("missing/").status.code(), Some(2));
    // --verbose lists what a directory walk skipped.
    let verbose = run("--verbose deploy/");
    assert!(String::from_utf8_lossy(&verbose.stderr).contains("skipped deploy/notes.txt"));
}
