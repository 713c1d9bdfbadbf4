//! docker-compose.yml, the Dockerfile and .dockerignore, checked for what makes them work on a
//! fresh clone (Docker cannot run here): every mounted host path exists in the repository,
//! every command and health check of an assetql service is a real subcommand with real flags
//! (parsed by the binary's own command line), the documented first-token command parses, the
//! base images are pinned, the image runs as a non-root user, and the build context leaves out
//! target/ and .venv/.

use std::path::PathBuf;

use assetql_server::cli::Cli;
use clap::Parser;
use serde_yaml::Value;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn read(name: &str) -> String {
    std::fs::read_to_string(repo().join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// The command line `args` (after `assetql`) parses as the binary would parse it.
fn parses(args: &[String]) {
    let mut line = vec!["assetql".to_owned()];
    line.extend(args.iter().cloned());
    if let Err(e) = Cli::try_parse_from(&line) {
        panic!(
            "`{}` is not a valid assetql command line: {e}",
            line.join(" ")
        );
    }
}

fn strings(value: &Value) -> Vec<String> {
    value
        .as_sequence()
        .map(|items| {
            items
                .iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn the_compose_file_works_on_a_fresh_clone() {
    let compose: Value =
        serde_yaml::from_str(&read("docker-compose.yml")).expect("docker-compose.yml parses");
    let services = compose["services"].as_mapping().expect("services");
    let mut assetql_services = 0;
    for (name, service) in services {
        let name = name.as_str().expect("service name");
        let built = service.get("build").is_some();
        if built {
            assetql_services += 1;
            let command = strings(&service["command"]);
            assert!(!command.is_empty(), "{name} says what it runs");
            parses(&command);
        }
        if let Some(test) = service.get("healthcheck").map(|h| strings(&h["test"])) {
            if built {
                assert_eq!(
                    test.first().map(String::as_str),
                    Some("CMD"),
                    "{name}: no shell in the image's health check"
                );
                assert_eq!(test.get(1).map(String::as_str), Some("assetql"), "{name}");
                parses(&test[2..]);
            } else {
                assert!(
                    service["image"]
                        .as_str()
                        .is_some_and(|i| i.starts_with("postgres:")),
                    "{name}"
                );
            }
        }
        for volume in strings(&service["volumes"]) {
            let host = volume.split(':').next().expect("host part");
            // `${VAR:-./default}`: the default must exist.
            let host = host
                .strip_prefix("${")
                .and_then(|h| h.split_once(":-"))
                .map_or(host, |(_, d)| d.trim_end_matches('}'));
            if host.starts_with("./") || host.starts_with('/') {
                assert!(
                    repo().join(host).exists(),
                    "{name} mounts {host}, which a fresh clone does not have"
                );
            }
        }
    }
    assert_eq!(assetql_services, 3, "migrate, serve and worker");

    // The first token, as the compose file's comment documents it.
    let text = read("docker-compose.yml");
    let documented = text
        .lines()
        .find_map(|l| {
            l.trim_start_matches('#')
                .trim()
                .strip_prefix("docker compose run --rm migrate ")
        })
        .expect("the compose file documents the first token");
    parses(
        &documented
            .split_whitespace()
            .map(str::to_owned)
            .collect::<Vec<_>>(),
    );
}

#[test]
fn the_image_is_pinned_cached_and_runs_as_a_user() {
    let dockerfile = read("Dockerfile");
    assert!(
        dockerfile.starts_with("# syntax=docker/dockerfile:1"),
        "the BuildKit syntax line comes first"
    );
    let bases: Vec<&str> = dockerfile
        .lines()
        .filter_map(|l| l.strip_prefix("FROM "))
        .collect();
    assert_eq!(bases.len(), 2);
    for base in bases {
        let image = base.split_whitespace().next().expect("image");
        let tag = image.split_once(':').map(|(_, t)| t).unwrap_or("latest");
        assert!(
            tag != "latest"
                && tag.chars().next().is_some_and(|c| c.is_ascii_digit())
                && tag.contains('.'),
            "{image} is not pinned to a version"
        );
    }
    assert!(
        dockerfile.contains("--mount=type=cache,target=/usr/local/cargo/registry"),
        "dependencies cached between builds"
    );
    let user = dockerfile
        .lines()
        .rev()
        .find_map(|l| l.strip_prefix("USER "))
        .expect("a USER");
    assert!(user.trim() != "root" && user.trim() != "0");
    let health = dockerfile
        .lines()
        .find_map(|l| {
            l.split_once("CMD [")
                .filter(|_| l.starts_with("HEALTHCHECK"))
                .map(|(_, c)| c)
        })
        .expect("a HEALTHCHECK");
    let args: Vec<String> = health
        .trim_end_matches(']')
        .split(',')
        .map(|a| a.trim().trim_matches('"').to_owned())
        .collect();
    assert_eq!(args.first().map(String::as_str), Some("assetql"));
    parses(&args[1..]);
    let ignored = read(".dockerignore");
    for path in ["target/", ".venv/", ".git/"] {
        assert!(
            ignored.lines().any(|l| l.trim() == path),
            ".dockerignore leaves out {path}"
        );
    }
}
