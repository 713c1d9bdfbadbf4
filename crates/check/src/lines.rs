//! Where a resource's block starts, 1-based, so findings point at source.

use std::collections::HashMap;

/// Line of each key of the object held by top-level key `parent` of JSON `text` (the logical
/// ids under `Resources`).
pub fn json_child_keys(text: &str, parent: &str) -> HashMap<String, usize> {
    let mut out = HashMap::new();
    // Each open container with the key that holds it (None: the root or an array item).
    let mut stack: Vec<Option<String>> = Vec::new();
    let mut line = 1;
    let mut chars = text.char_indices().peekable();
    let mut pending: Option<String> = None;
    while let Some((_, c)) = chars.next() {
        match c {
            '\n' => line += 1,
            '"' => {
                let start_line = line;
                let mut s = String::new();
                while let Some((_, c)) = chars.next() {
                    match c {
                        '\\' => {
                            if let Some((_, e)) = chars.next() {
                                s.push(e);
                            }
                        }
                        '"' => break,
                        '\n' => {
                            line += 1;
                            s.push(c);
                        }
                        other => s.push(other),
                    }
                }
                // A key is a string followed by `:`.
                let rest = chars.clone();
                let mut is_key = false;
                for (_, n) in rest {
                    if n.is_whitespace() {
                        continue;
                    }
                    is_key = n == ':';
                    break;
                }
                if is_key {
                    if stack.len() == 2 && stack[0].is_none() && stack[1].as_deref() == Some(parent)
                    {
                        out.entry(s.clone()).or_insert(start_line);
                    }
                    pending = Some(s);
                }
            }
            '{' | '[' => stack.push(pending.take()),
            '}' | ']' => {
                stack.pop();
                pending = None;
            }
            ',' => pending = None,
            _ => {}
        }
    }
    out
}

/// Line of each key of top-level mapping `parent` in block-style YAML `text`.
pub fn yaml_child_keys(text: &str, parent: &str) -> HashMap<String, usize> {
    let mut out = HashMap::new();
    let mut inside = false;
    let mut indent: Option<usize> = None;
    for (i, raw) in text.lines().enumerate() {
        let trimmed = raw.trim_start();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let depth = raw.len() - trimmed.len();
        if depth == 0 {
            inside = trimmed
                .strip_prefix(parent)
                .is_some_and(|r| r.trim_start().starts_with(':'));
            indent = None;
            continue;
        }
        if !inside {
            continue;
        }
        let level = *indent.get_or_insert(depth);
        if depth == level {
            if let Some((key, _)) = trimmed.split_once(':') {
                let key = key.trim().trim_matches(|c| c == '"' || c == '\'');
                out.entry(key.to_owned()).or_insert(i + 1);
            }
        }
    }
    out
}

/// Line of the first `"address": "<address>"` of a plan (1 when minified on one line).
pub fn plan_address(text: &str, address: &str) -> usize {
    let quoted = format!("\"{address}\"");
    let mut from = 0;
    while let Some(found) = text[from..].find(&quoted) {
        let at = from + found;
        let before = text[..at].trim_end();
        if before.ends_with(':')
            && before[..before.len() - 1]
                .trim_end()
                .ends_with("\"address\"")
        {
            return line_at(text, at);
        }
        from = at + quoted.len();
    }
    1
}

/// 1-based line of byte offset `at`.
pub fn line_at(text: &str, at: usize) -> usize {
    text[..at.min(text.len())].matches('\n').count() + 1
}

/// Line of the first non-blank character (where a one-document file's block starts).
pub fn first_line(text: &str) -> usize {
    text.find(|c: char| !c.is_whitespace())
        .map_or(1, |at| line_at(text, at))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logical_ids_are_found_where_they_start() {
        let json = "{\n  \"Parameters\": {\"Resources\": 1},\n  \"Resources\": {\n    \"Td\": {\n      \"Type\": \"X\", \"Properties\": {\"Web\": {}}\n    },\n    \"Svc\": {}\n  }\n}";
        let lines = json_child_keys(json, "Resources");
        assert_eq!(lines.get("Td"), Some(&4));
        assert_eq!(lines.get("Svc"), Some(&7));
        assert_eq!(lines.get("Web"), None);
        let yaml = "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  # the task\n  Td:\n    Type: X\n    Properties:\n      Family: web\n  Svc:\n    Type: Y\nOutputs:\n  Td2: 1\n";
        let lines = yaml_child_keys(yaml, "Resources");
        assert_eq!(lines.get("Td"), Some(&4));
        assert_eq!(lines.get("Svc"), Some(&8));
        assert_eq!(lines.get("Family"), None);
        assert_eq!(lines.get("Td2"), None);
        let plan = "{\"planned_values\": {},\n \"resource_changes\": [\n  {\"address\": \"module.a.aws_ecs_service.s\"}]}";
        assert_eq!(plan_address(plan, "module.a.aws_ecs_service.s"), 3);
        assert_eq!(plan_address(plan, "nope"), 1);
    }
}
