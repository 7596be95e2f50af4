//! Reading the CSV files the charts are drawn from.

use std::path::Path;

use serde::de::DeserializeOwned;

use super::error::PlotError;

/// All rows of a CSV file with a header, as `T`.
pub fn read_rows<T: DeserializeOwned>(path: &Path) -> Result<Vec<T>, PlotError> {
    let csv_err = |cause| PlotError::Csv {
        path: path.to_path_buf(),
        cause,
    };
    let mut r = csv::Reader::from_path(path).map_err(csv_err)?;
    r.deserialize().collect::<Result<Vec<T>, _>>().map_err(csv_err)
}

/// A CSV file as text cells, for tables whose columns are known only at run time (points.csv).
#[derive(Clone, Debug, PartialEq)]
pub struct Table {
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

impl Table {
    pub fn read(path: &Path) -> Result<Table, PlotError> {
        let csv_err = |cause| PlotError::Csv {
            path: path.to_path_buf(),
            cause,
        };
        let mut r = csv::Reader::from_path(path).map_err(csv_err)?;
        let header = r.headers().map_err(csv_err)?.iter().map(str::to_string).collect();
        let rows = r
            .records()
            .map(|rec| rec.map(|rec| rec.iter().map(str::to_string).collect()))
            .collect::<Result<Vec<Vec<String>>, _>>()
            .map_err(csv_err)?;
        Ok(Table { header, rows })
    }

    pub fn column(&self, name: &str) -> Option<usize> {
        self.header.iter().position(|h| h == name)
    }

    /// The cell as a number; `None` when empty or not a number.
    pub fn number(&self, row: usize, col: usize) -> Option<f64> {
        self.rows.get(row)?.get(col)?.parse().ok()
    }
}
