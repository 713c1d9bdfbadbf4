//! The shape of the code a reader meets: no source file in `crates/` over 600 lines, and no
//! cycle among the modules of a crate (a module names another as `crate::name`; submodules
//! never reach back into the crate root, which re-exports them).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

const MAX_LINES: usize = 600;

fn crates_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../crates")
}

/// Every `.rs` file under `dir`.
fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("read dir") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

#[test]
fn no_source_file_in_crates_is_over_600_lines() {
    let long: Vec<String> = rust_files(&crates_dir())
        .into_iter()
        .filter_map(|path| {
            let lines = std::fs::read_to_string(&path)
                .expect("read")
                .lines()
                .count();
            (lines > MAX_LINES).then(|| format!("{} ({lines} lines)", path.display()))
        })
        .collect();
    assert!(long.is_empty(), "over {MAX_LINES} lines: {long:#?}");
}

/// The module a source file is (its path below `src/`, `::`-joined), for top-level modules.
fn module_of(src: &Path, path: &Path) -> Option<String> {
    let relative = path.strip_prefix(src).ok()?;
    let first = relative.components().next()?.as_os_str().to_str()?;
    let name = first.strip_suffix(".rs").unwrap_or(first);
    (!matches!(name, "lib" | "main" | "tests")).then(|| name.to_owned())
}

/// The `crate::x` names a text uses, outside comments, including each of a grouped import
/// (`use crate::{a, b::C};`).
fn crate_paths(text: &str) -> BTreeSet<String> {
    let code: String = text
        .lines()
        .map(|line| line.split("//").next().unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n");
    let name_at = |rest: &str| -> String {
        rest.trim_start()
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect()
    };
    let mut out = BTreeSet::new();
    let mut rest = code.as_str();
    while let Some(at) = rest.find("crate::") {
        let after = &rest[at + "crate::".len()..];
        if let Some(group) = after.strip_prefix('{') {
            // The group's items at depth one: each starts after `{` or a `,`.
            let mut depth = 1usize;
            let mut start = 0usize;
            for (i, c) in group.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' | ',' if depth == 1 => {
                        let name = name_at(&group[start..i]);
                        if !name.is_empty() {
                            out.insert(name);
                        }
                        start = i + 1;
                        if c == '}' {
                            break;
                        }
                    }
                    '}' => depth -= 1,
                    _ => {}
                }
            }
        } else {
            let name = name_at(after);
            if !name.is_empty() {
                out.insert(name);
            }
        }
        rest = after;
    }
    out
}

#[test]
fn crate_paths_are_read_from_plain_and_grouped_imports() {
    let text = "use crate::a::X;\nuse crate::{b, c::{D, E}, F}; // crate::commented\nlet x = crate::g::h();";
    let names: Vec<String> = crate_paths(text).into_iter().collect();
    assert_eq!(names, ["F", "a", "b", "c", "g"]);
}

/// A module of the graph on a cycle, if any (depth-first, colours).
fn cycle(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        state: &mut BTreeMap<String, u8>,
        path: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        match state.get(node) {
            Some(2) => return None,
            Some(1) => {
                let from = path.iter().position(|n| n == node).unwrap_or(0);
                let mut found = path[from..].to_vec();
                found.push(node.to_owned());
                return Some(found);
            }
            _ => {}
        }
        state.insert(node.to_owned(), 1);
        path.push(node.to_owned());
        for next in graph.get(node).into_iter().flatten() {
            if let Some(found) = visit(next, graph, state, path) {
                return Some(found);
            }
        }
        path.pop();
        state.insert(node.to_owned(), 2);
        None
    }
    let mut state = BTreeMap::new();
    for node in graph.keys() {
        if let Some(found) = visit(node, graph, &mut state, &mut Vec::new()) {
            return Some(found);
        }
    }
    None
}

#[test]
fn no_crate_has_a_module_cycle() {
    let mut problems = Vec::new();
    for entry in std::fs::read_dir(crates_dir()).expect("crates") {
        let src = entry.expect("entry").path().join("src");
        if !src.is_dir() {
            continue;
        }
        let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        let files = rust_files(&src);
        let modules: BTreeSet<String> = files.iter().filter_map(|f| module_of(&src, f)).collect();
        for file in &files {
            let Some(module) = module_of(&src, file) else {
                continue;
            };
            let text = std::fs::read_to_string(file).expect("read");
            // Unit tests at the end of a file may use anything.
            let text = text.split("#[cfg(test)]\nmod ").next().unwrap_or("");
            for name in crate_paths(text) {
                if modules.contains(&name) {
                    if name != module {
                        graph.entry(module.clone()).or_default().insert(name);
                    }
                } else {
                    problems.push(format!(
                        "{}: `crate::{name}` reaches into the crate root",
                        file.display()
                    ));
                }
            }
            graph.entry(module).or_default();
        }
        if let Some(found) = cycle(&graph) {
            problems.push(format!("{}: cycle {}", src.display(), found.join(" -> ")));
        }
    }
    assert!(problems.is_empty(), "{problems:#?}");
}

/// Error codes are named through `ErrorCode` only: no code's text appears as a string literal
/// in the crates' code outside the enum's own file (tests may spell them out).
#[test]
fn error_codes_are_named_only_through_the_enum() {
    let mut found = Vec::new();
    for file in rust_files(&crates_dir()) {
        if file.ends_with("error_code.rs") || file.components().any(|c| c.as_os_str() == "tests") {
            continue;
        }
        let text = std::fs::read_to_string(&file).expect("read");
        let code = text.split("#[cfg(test)]\nmod ").next().unwrap_or("");
        for error in assetql_model::ErrorCode::ALL {
            let literal = format!("\"{}\"", error.as_str());
            if code.contains(&literal) {
                found.push(format!("{}: {literal}", file.display()));
            }
        }
    }
    assert!(found.is_empty(), "{found:#?}");
}
