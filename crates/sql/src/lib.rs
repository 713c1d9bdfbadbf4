//! SQL for assetql without IO: the dialects (PostgreSQL, SQLite), the values bound to statement
//! parameters, and the printing helpers both the compiler and the store's writers use.

mod dialect;
mod value;

pub use dialect::Dialect;
pub use value::{format_timestamp, Value};
