//! An asset's rows as the writer binds them: the catalogue's rows
//! ([`document::rows`](assetql_model::catalogue::document::rows)) turned into typed values in
//! their table's column order, plus the inventory's own columns. No column is named here that
//! the catalogue describes.

use assetql_model::catalogue::document::{Cell, Layout, Row};
use assetql_model::catalogue::{ScalarKind, TypeDef};
use assetql_sql::Value;

use crate::error::StoreError;

/// The inventory's own columns of an asset table, after the described ones: who it belongs to,
/// where and when it was seen, its digest, the run that wrote it and the description it was
/// read under.
pub(super) const INVENTORY_COLUMNS: [&str; 8] = [
    "tenant_id",
    "cloud_account_id",
    "region",
    "first_seen_at",
    "last_seen_at",
    "content_hash",
    "last_sync_run_id",
    "model_version",
];

/// The columns of `layout`'s table as the writer fills them: for the asset's own table, the
/// described columns then [`INVENTORY_COLUMNS`]; for a child table, `tenant_id` then the
/// described and inherited columns.
pub(super) fn columns(layout: &Layout, own: bool) -> Vec<&'static str> {
    let described = layout.columns.iter().map(|(c, _)| *c);
    if own {
        described.chain(INVENTORY_COLUMNS).collect()
    } else {
        std::iter::once("tenant_id").chain(described).collect()
    }
}

/// A cell as a bound value of its column's kind (a null keeps its column's type, which the
/// PostgreSQL column arrays need).
pub(super) fn value(kind: ScalarKind, cell: Cell) -> Value {
    match cell {
        Cell::Bool(b) => Value::Bool(Some(b)),
        Cell::Int(i) => Value::Int(Some(i)),
        Cell::Text(s) => Value::Text(Some(s)),
        Cell::TextList(items) => Value::TextList(Some(items)),
        Cell::Time(t) => Value::Timestamp(Some(t)),
        Cell::Null => match kind {
            ScalarKind::Boolean => Value::Bool(None),
            ScalarKind::Int => Value::Int(None),
            ScalarKind::Id | ScalarKind::String => Value::Text(None),
            ScalarKind::StringList => Value::TextList(None),
            ScalarKind::DateTime => Value::Timestamp(None),
        },
    }
}

/// `row`'s described values in `layout`'s order, after `leading` values.
pub(super) fn values(
    ty: &TypeDef,
    layout: &Layout,
    row: Row,
    leading: Vec<Value>,
) -> Result<Vec<Value>, StoreError> {
    if row.table != layout.table || row.cells.len() != layout.columns.len() {
        return Err(shape(ty, &row));
    }
    let mut out = leading;
    out.reserve(layout.columns.len());
    for ((column, cell), (expected, kind)) in row.cells.into_iter().zip(&layout.columns) {
        if column != *expected {
            return Err(StoreError::InvalidAsset {
                asset_type: ty.name,
                reason: format!("{} has {column} where {expected} belongs", layout.table),
            });
        }
        out.push(value(*kind, cell));
    }
    Ok(out)
}

fn shape(ty: &TypeDef, row: &Row) -> StoreError {
    StoreError::InvalidAsset {
        asset_type: ty.name,
        reason: format!("a row of {} does not have its table's columns", row.table),
    }
}

/// Rows for child tables, in the order of their layouts (a parent table before its children).
pub(super) struct ChildRows {
    pub(super) tables: Vec<ChildTable>,
}

pub(super) struct ChildTable {
    pub(super) table: &'static str,
    pub(super) columns: Vec<&'static str>,
    pub(super) rows: Vec<Vec<Value>>,
}

impl ChildRows {
    /// Empty tables for every child layout (all but the first, the asset's own).
    pub(super) fn new(layouts: &[Layout]) -> Self {
        ChildRows {
            tables: layouts
                .iter()
                .skip(1)
                .map(|layout| ChildTable {
                    table: layout.table,
                    columns: columns(layout, false),
                    rows: Vec::new(),
                })
                .collect(),
        }
    }

    /// Adds `row`, read by `ty`'s description, for `tenant`.
    pub(super) fn push(
        &mut self,
        ty: &TypeDef,
        layouts: &[Layout],
        tenant: &str,
        row: Row,
    ) -> Result<(), StoreError> {
        let Some(index) = layouts.iter().skip(1).position(|l| l.table == row.table) else {
            return Err(shape(ty, &row));
        };
        let values = values(ty, &layouts[index + 1], row, vec![Value::text(tenant)])?;
        self.tables[index].rows.push(values);
        Ok(())
    }
}
