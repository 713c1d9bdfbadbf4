use std::fmt::Write;

/// The SQL dialect of a connection. Every construct that differs between the two databases is a
/// method here; a construct a dialect cannot print is an error at the caller, never a fallback.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SqlDialect {
    /// PostgreSQL 13 or newer.
    Postgres,
    /// SQLite 3.38 or newer (JSON functions built in).
    Sqlite,
}

impl SqlDialect {
    /// The name used in logs and metrics (`db.system`).
    pub fn name(self) -> &'static str {
        match self {
            SqlDialect::Postgres => "postgresql",
            SqlDialect::Sqlite => "sqlite",
        }
    }

    /// Writes the placeholder of the 1-based parameter `index`. Both databases (through sqlx)
    /// accept `$n`, which lets one value be referenced several times.
    pub fn write_placeholder(self, out: &mut String, index: usize) {
        let _ = write!(out, "${index}");
    }

    /// Writes `name` as a quoted identifier.
    pub fn write_identifier(self, out: &mut String, name: &str) {
        out.push('"');
        for c in name.chars() {
            if c == '"' {
                out.push('"');
            }
            out.push(c);
        }
        out.push('"');
    }

    /// An expression rendering the timestamp expression `expr` as fixed-width ISO-8601 UTC text
    /// (`2024-01-02T03:04:05.000000Z`), the form SQLite stores and GraphQL returns.
    pub fn timestamp_as_text(self, expr: &str) -> String {
        match self {
            SqlDialect::Postgres => {
                format!("to_char(({expr}) AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')")
            }
            SqlDialect::Sqlite => expr.to_owned(),
        }
    }

    /// The most parameters one statement should carry. PostgreSQL allows 65,535. SQLite allows
    /// 32,766 but looks `$n` names up linearly while parsing, so a statement's parse time grows
    /// with the square of its parameters (30,000 took seconds): keep SQLite statements small.
    pub fn max_parameters(self) -> usize {
        match self {
            SqlDialect::Postgres => 60_000,
            SqlDialect::Sqlite => 2_000,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_are_quoted_and_escaped() {
        let mut out = String::new();
        SqlDialect::Postgres.write_identifier(&mut out, r#"we"ird"#);
        assert_eq!(out, r#""we""ird""#);
    }

    #[test]
    fn placeholders_are_numbered() {
        let mut out = String::new();
        SqlDialect::Sqlite.write_placeholder(&mut out, 12);
        assert_eq!(out, "$12");
    }
}
