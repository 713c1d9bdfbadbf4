//! SQL for assetql without IO: the dialects (PostgreSQL, SQLite), the values bound to statement
//! parameters, the filter IR parsed from both Neo4j where-input grammars, and the compiler that
//! turns a root field (filter + selection + paging) into one SQL statement returning JSON.

mod compile;
mod dialect;
mod error;
pub mod filter;
mod pattern;
mod value;

pub use compile::{
    compile_assets, compile_connection, compile_count, compile_count_by_account, compile_list,
    AssetsQuery, CompiledQuery, ListQuery, Selection, SelectionItem, SortKey, TYPE_KEY,
};
pub use dialect::SqlDialect;
pub use error::CompileError;
pub use filter::{parse_where, Filter, Quantifier, QueryDialect, ScalarOp};
pub use pattern::MAX_REGEX_LENGTH;
pub use value::{format_timestamp, Value};
