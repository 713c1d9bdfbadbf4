//! Finding and reading the files to check: recognised by content (a task definition, a
//! CloudFormation template, a Terraform plan), not only by name.

use std::path::{Path, PathBuf};

use serde_json::Value as Json;

use crate::model::{CheckError, Declared, FileError};
use crate::{cfn, lines, taskdef, tfplan};

/// What the paths held.
#[derive(Debug, Default)]
pub struct Discovered {
    /// Files recognised, as given (or found).
    pub files: Vec<String>,
    /// Files under a directory that are none of the recognised kinds.
    pub skipped: Vec<String>,
    /// Their ECS resources.
    pub declared: Vec<Declared>,
}

/// Extensions whose files must parse (a malformed one is an error, even found in a directory).
const STRUCTURED: &[&str] = &["json", "yaml", "yml", "template", "tf"];

/// Reads `paths`: files, or directories walked recursively (hidden directories and
/// `node_modules` left out). A file named explicitly must be a recognised kind unless
/// `skip_unrecognised` (pre-commit names every touched file).
pub fn discover(paths: &[PathBuf], skip_unrecognised: bool) -> Result<Discovered, CheckError> {
    let mut found = Discovered::default();
    for path in paths {
        if path.is_dir() {
            let mut files = Vec::new();
            walk(path, &mut files).map_err(|e| FileError {
                file: path.display().to_string(),
                line: 1,
                message: e.to_string(),
            })?;
            for file in files {
                read(&file, false, &mut found)?;
            }
        } else if path.exists() {
            read(path, !skip_unrecognised, &mut found)?;
        } else {
            return Err(CheckError::Missing(path.clone()));
        }
    }
    Ok(found)
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)?
        .map(|e| e.map(|e| e.path()))
        .collect::<Result<_, _>>()?;
    entries.sort();
    for entry in entries {
        let name = entry
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if entry.is_dir() {
            if !name.starts_with('.') && name != "node_modules" {
                walk(&entry, out)?;
            }
        } else {
            out.push(entry);
        }
    }
    Ok(())
}

fn read(path: &Path, named: bool, found: &mut Discovered) -> Result<(), CheckError> {
    let file = path.display().to_string();
    let error = |line: usize, message: String| FileError {
        file: file.clone(),
        line,
        message,
    };
    let extension = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    let structured = STRUCTURED.contains(&extension.as_str());
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        // Binary or unreadable: an error when it had to be read, else not ours.
        Err(e) if named || structured => return Err(error(1, e.to_string()).into()),
        Err(_) => {
            found.skipped.push(file);
            return Ok(());
        }
    };
    if extension == "tf" {
        let dir = path.parent().unwrap_or(Path::new("."));
        let declared = crate::hcl::declared(&file, &text, dir)?;
        if declared.is_empty() && !named {
            found.skipped.push(file);
        } else {
            found.files.push(file);
            found.declared.extend(declared);
        }
        return Ok(());
    }
    let trimmed = text.trim_start();
    let doc = if trimmed.starts_with('{') {
        match serde_json::from_str::<Json>(&text) {
            Ok(doc) => Some(doc),
            Err(e) if named || structured => {
                return Err(error(e.line().max(1), format!("malformed JSON: {e}")).into())
            }
            Err(_) => None,
        }
    } else if matches!(extension.as_str(), "yaml" | "yml" | "template")
        || text.contains("AWSTemplateFormatVersion")
    {
        match serde_yaml::from_str::<serde_yaml::Value>(&text) {
            Ok(doc) => Some(cfn::yaml_to_json(doc)),
            Err(e) if named || structured => {
                let line = e.location().map_or(1, |l| l.line());
                return Err(error(line, format!("malformed YAML: {e}")).into());
            }
            Err(_) => None,
        }
    } else {
        None
    };
    let declared =
        match &doc {
            Some(doc) if taskdef::is_task_definition(doc) => {
                taskdef::declared(&file, doc, lines::first_line(&text))
                    .into_iter()
                    .collect()
            }
            Some(doc) if cfn::is_template(doc) => {
                let lines = if trimmed.starts_with('{') {
                    lines::json_child_keys(&text, "Resources")
                } else {
                    lines::yaml_child_keys(&text, "Resources")
                };
                cfn::declared(&file, doc, &|id| lines.get(id).copied().unwrap_or(1))
            }
            Some(doc) if tfplan::is_plan(doc) => {
                tfplan::declared(&file, doc, &|address| lines::plan_address(&text, address))
            }
            _ if named => return Err(error(
                1,
                "not a task definition (RegisterTaskDefinition input or DescribeTaskDefinition \
                 output), a CloudFormation template or a Terraform plan (`terraform show -json`)"
                    .to_owned(),
            )
            .into()),
            _ => {
                found.skipped.push(file);
                return Ok(());
            }
        };
    found.files.push(file);
    found.declared.extend(declared);
    Ok(())
}
