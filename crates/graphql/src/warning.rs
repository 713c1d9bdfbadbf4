//! Warnings an answer carries in `extensions.warnings` beside its data: today, that a root list
//! field without `limit` stopped at the default page size, so that a client counting findings
//! never mistakes a first page for the whole list.

use std::sync::Mutex;

use async_graphql::{Name, Response, Value};

/// The warning code of a list cut at the default page size.
pub(crate) const RESULT_TRUNCATED: &str = "RESULT_TRUNCATED";

/// A root list field that stopped at the default page size.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Truncated {
    /// The field's response key.
    pub(crate) field: String,
    /// The page size it stopped at.
    pub(crate) limit: u64,
}

impl Truncated {
    fn value(&self) -> Value {
        let entries = [
            ("code", Value::from(RESULT_TRUNCATED)),
            (
                "message",
                Value::from(format!(
                    "{} stopped at the default page size of {} rows; more rows match. Page with \
                     limit and offset (up to the maximum page size), or use the connection field \
                     with first and after",
                    self.field, self.limit
                )),
            ),
            ("field", Value::from(self.field.clone())),
            ("limit", Value::from(self.limit)),
        ];
        Value::Object(
            entries
                .into_iter()
                .map(|(k, v)| (Name::new(k), v))
                .collect(),
        )
    }
}

/// The warnings collected while one request runs.
#[derive(Debug, Default)]
pub(crate) struct Warnings(Mutex<Vec<Truncated>>);

impl Warnings {
    pub(crate) fn push(&self, warning: Truncated) {
        // A panic elsewhere in the request poisons the lock but leaves the list whole:
        // `into_inner` keeps every warning, so a cut list is never left unannounced.
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push(warning);
    }

    pub(crate) fn take(&self) -> Vec<Truncated> {
        std::mem::take(
            &mut *self
                .0
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner),
        )
    }
}

/// Adds `warnings` to `response.extensions.warnings`, in field order.
pub(crate) fn attach(response: &mut Response, mut warnings: Vec<Truncated>) {
    if warnings.is_empty() {
        return;
    }
    warnings.sort_by(|a, b| a.field.cmp(&b.field));
    warnings.dedup();
    response.extensions.insert(
        "warnings".to_owned(),
        Value::List(warnings.iter().map(Truncated::value).collect()),
    );
}

/// The first `n` items of the JSON array `json`, as text, when it has more; `None` when it has
/// at most `n` (or is not an array). Items are found without parsing them
/// ([`crate::statement::scan_array`]).
pub(crate) fn cut_array(json: &str, n: usize) -> Option<String> {
    let end = crate::statement::scan_array(json, Some(n)).cut_at?;
    let mut cut = String::with_capacity(end + 1);
    cut.push_str(&json[..end]);
    cut.push(']');
    Some(cut)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_array_is_cut_after_n_items_outside_strings() {
        let json = r#"[{"a":"x,]"},{"b":[1,2]},3]"#;
        assert_eq!(cut_array(json, 1).as_deref(), Some(r#"[{"a":"x,]"}]"#));
        assert_eq!(
            cut_array(json, 2).as_deref(),
            Some(r#"[{"a":"x,]"},{"b":[1,2]}]"#)
        );
        assert_eq!(cut_array(json, 3), None);
        assert_eq!(cut_array("[]", 0), None);
        assert_eq!(cut_array(r#"{"a":1,"b":2}"#, 1), None);
        let cut = cut_array(" [1, 2, 3]", 2).expect("cut");
        assert_eq!(cut, " [1, 2]");
        serde_json::from_str::<serde_json::Value>(&cut).expect("still JSON");
    }

    #[test]
    fn warnings_land_in_the_extensions_once_each() {
        let mut response = Response::new(Value::Null);
        let warning = Truncated {
            field: "ecsTasks".to_owned(),
            limit: 2,
        };
        attach(&mut response, vec![warning.clone(), warning]);
        let Some(Value::List(list)) = response.extensions.get("warnings") else {
            panic!("no warnings: {response:?}")
        };
        assert_eq!(list.len(), 1);
        let json = serde_json::to_value(&list[0]).expect("json");
        assert_eq!(json["code"], RESULT_TRUNCATED);
        assert_eq!(json["field"], "ecsTasks");
        assert_eq!(json["limit"], 2);
    }
}
