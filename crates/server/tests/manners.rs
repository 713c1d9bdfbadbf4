//! The command line's manners: what a newcomer meets (one clear line when AWS credentials are
//! missing) and a README whose configuration table matches the flags.

use std::process::Command;

fn assetql() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_assetql"));
    command
        .env_remove("ASSETQL_DATABASE_URL")
        .env("RUST_LOG", "warn");
    command
}

#[test]
fn sync_without_aws_credentials_says_so_in_one_line() {
    let dir = tempfile::tempdir().expect("temp dir");
    let database = format!("sqlite://{}", dir.path().join("nocred.db").display());
    let empty = dir.path().join("empty");
    std::fs::write(&empty, "").expect("an empty AWS config");
    let output = assetql()
        .args(["--database-url", &database, "sync"])
        // The default log filter, as a user gets it.
        .env_remove("RUST_LOG")
        .env_remove("AWS_ACCESS_KEY_ID")
        .env_remove("AWS_SECRET_ACCESS_KEY")
        .env_remove("AWS_SESSION_TOKEN")
        .env_remove("AWS_PROFILE")
        .env("AWS_REGION", "us-east-1")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_CONFIG_FILE", &empty)
        .env("AWS_SHARED_CREDENTIALS_FILE", &empty)
        .output()
        .expect("run assetql sync");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    assert!(stderr.starts_with("error: no AWS credentials"), "{stderr}");
}

/// Every environment variable a flag reads is in README's configuration table, and the table
/// names no variable the command line does not read.
#[test]
fn the_readme_configuration_table_lists_every_environment_variable() {
    use clap::CommandFactory;
    fn collect(command: &clap::Command, out: &mut std::collections::BTreeMap<String, String>) {
        for arg in command.get_arguments() {
            if let Some(env) = arg.get_env() {
                let flag = arg.get_long().map(|l| format!("--{l}")).unwrap_or_default();
                out.insert(
                    env.to_string_lossy().into_owned(),
                    format!("{} {flag}", command.get_name()),
                );
            }
        }
        for sub in command.get_subcommands() {
            collect(sub, out);
        }
    }
    let mut wanted = std::collections::BTreeMap::new();
    collect(&assetql_server::cli::Cli::command(), &mut wanted);
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../README.md"))
        .expect("README");
    let table: String = readme
        .split("## Configuration")
        .nth(1)
        .and_then(|rest| rest.split("\n### ").next())
        .expect("README's configuration section")
        .to_owned();
    let listed: std::collections::BTreeSet<String> = table
        .split('`')
        .filter(|s| {
            s.starts_with("ASSETQL_") && s.chars().all(|c| c.is_ascii_uppercase() || c == '_')
        })
        .map(str::to_owned)
        .collect();
    let missing: Vec<String> = wanted
        .iter()
        .filter(|(env, _)| !listed.contains(*env))
        .map(|(env, flag)| format!("{env} ({flag})"))
        .collect();
    assert!(
        missing.is_empty(),
        "README's configuration table lacks {missing:?}"
    );
    let unknown: Vec<&String> = listed
        .iter()
        .filter(|env| !wanted.contains_key(*env))
        .collect();
    assert!(
        unknown.is_empty(),
        "README's configuration table names variables no flag reads: {unknown:?}"
    );
}
