use chrono::{DateTime, SecondsFormat, Utc};

/// A value bound to a statement parameter. Each variant carries its SQL type even when NULL,
/// because PostgreSQL must know the type of every parameter.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// BOOLEAN (SQLite: 0/1).
    Bool(Option<bool>),
    /// BIGINT.
    Int(Option<i64>),
    /// DOUBLE PRECISION / REAL.
    Float(Option<f64>),
    /// TEXT.
    Text(Option<String>),
    /// TEXT[] (SQLite: a JSON array in TEXT).
    TextList(Option<Vec<String>>),
    /// TIMESTAMPTZ (SQLite: fixed-width ISO-8601 UTC TEXT, see [`format_timestamp`]).
    Timestamp(Option<DateTime<Utc>>),
    /// JSONB (SQLite: TEXT).
    Json(Option<serde_json::Value>),
}

impl Value {
    /// Whether this is SQL NULL.
    pub fn is_null(&self) -> bool {
        match self {
            Value::Bool(v) => v.is_none(),
            Value::Int(v) => v.is_none(),
            Value::Float(v) => v.is_none(),
            Value::Text(v) => v.is_none(),
            Value::TextList(v) => v.is_none(),
            Value::Timestamp(v) => v.is_none(),
            Value::Json(v) => v.is_none(),
        }
    }

    /// A non-NULL text value.
    pub fn text(value: impl Into<String>) -> Self {
        Value::Text(Some(value.into()))
    }

    /// The list as SQLite stores it: a JSON array of strings.
    pub fn list_as_json(list: &[String]) -> String {
        serde_json::to_string(list).expect("a list of strings always serializes")
    }
}

/// Formats a timestamp as SQLite stores it: `YYYY-MM-DDTHH:MM:SS.ffffffZ`. Fixed width, so text
/// order is time order.
pub fn format_timestamp(at: &DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Micros, true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn timestamps_are_fixed_width_and_sort_as_text() {
        let a = Utc
            .with_ymd_and_hms(2024, 1, 2, 3, 4, 5)
            .single()
            .expect("valid date");
        let b = a + chrono::Duration::microseconds(1);
        assert_eq!(format_timestamp(&a), "2024-01-02T03:04:05.000000Z");
        assert!(format_timestamp(&a) < format_timestamp(&b));
    }

    #[test]
    fn lists_are_json_arrays_with_escapes() {
        let list = vec!["a\"b".to_owned(), "c\\d".to_owned(), "\n".to_owned()];
        assert_eq!(Value::list_as_json(&list), r#"["a\"b","c\\d","\n"]"#);
    }
}
