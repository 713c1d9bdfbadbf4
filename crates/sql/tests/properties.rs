//! Property test of the filter compiler: any where-input, however malformed, either compiles to
//! SQL whose every value is a bound parameter, or is rejected with an error; nothing panics.

use assetql_model::catalogue::{TypeDef, CATALOGUE};
use assetql_sql::{compile_list, parse_where, ListQuery, QueryDialect, Selection, SqlDialect};
use proptest::prelude::*;
use serde_json::{Map, Value as Json};

/// A marker no SQL the compiler writes contains: if it shows up in SQL text, a value was
/// spliced instead of bound.
const MARKER: &str = "zq'x\"";

fn keys() -> Vec<String> {
    let mut keys: Vec<String> = vec!["AND".into(), "OR".into(), "NOT".into(), "bogus".into()];
    let suffixes = [
        "",
        "_NOT",
        "_IN",
        "_NOT_IN",
        "_CONTAINS",
        "_NOT_CONTAINS",
        "_STARTS_WITH",
        "_ENDS_WITH",
        "_MATCHES",
        "_LT",
        "_GTE",
        "_INCLUDES",
        "_SOME",
        "_NONE",
        "_ALL",
        "_SINGLE",
    ];
    for ty in CATALOGUE {
        for name in ty
            .all_fields()
            .map(|f| f.name)
            .chain(ty.relationships.iter().map(|r| r.name))
        {
            for suffix in suffixes {
                keys.push(format!("{name}{suffix}"));
            }
        }
    }
    keys.extend(
        [
            "eq", "in", "contains", "matches", "some", "none", "all", "single", "gt",
        ]
        .map(String::from),
    );
    keys.sort();
    keys.dedup();
    keys
}

fn json_value() -> impl Strategy<Value = Json> {
    let keys = keys();
    let leaf = prop_oneof![
        Just(Json::Null),
        any::<bool>().prop_map(Json::Bool),
        any::<i64>().prop_map(Json::from),
        "[a-z%_\\\\]{0,6}".prop_map(|s| Json::String(format!("{s}{MARKER}"))),
        Just(Json::String("2026-01-01T00:00:00Z".into())),
    ];
    leaf.prop_recursive(5, 64, 6, move |inner| {
        let keys = keys.clone();
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Json::Array),
            prop::collection::vec((prop::sample::select(keys), inner), 0..5).prop_map(|pairs| {
                Json::Object(pairs.into_iter().collect::<Map<String, Json>>())
            }),
        ]
    })
}

fn max_placeholder(sql: &str) -> usize {
    let bytes = sql.as_bytes();
    let mut max = 0;
    for (i, b) in bytes.iter().enumerate() {
        if *b == b'$' {
            let digits: String = sql[i + 1..]
                .chars()
                .take_while(char::is_ascii_digit)
                .collect();
            if let Ok(n) = digits.parse::<usize>() {
                max = max.max(n);
            }
        }
    }
    max
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn any_where_input_compiles_with_bound_values_or_is_rejected(
        input in json_value(),
        type_index in 0..CATALOGUE.len(),
        legacy in any::<bool>(),
    ) {
        let ty: &'static TypeDef = &CATALOGUE[type_index];
        let syntax = if legacy { QueryDialect::Legacy } else { QueryDialect::Current };
        if let Ok(filter) = parse_where(ty, syntax, &input) {
            for dialect in [SqlDialect::Postgres, SqlDialect::Sqlite] {
                let query = ListQuery {
                    ty,
                    tenant: assetql_model::TenantId::parse("tenantzqx").expect("tenant"),
                    filter: filter.clone(),
                    sort: vec![],
                    limit: Some(10),
                    offset: None,
                    after: None,
                    selection: Selection::default(),
                };
                let compiled = compile_list(dialect, &query).expect("a parsed filter always compiles");
                prop_assert!(!compiled.sql.contains(MARKER), "spliced value in {}", compiled.sql);
                prop_assert!(!compiled.sql.contains("tenantzqx"), "spliced tenant in {}", compiled.sql);
                prop_assert_eq!(max_placeholder(&compiled.sql), compiled.params.len());
            }
        }
    }
}
