use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PlotError {
    /// plotters failed to draw or to encode the file.
    #[error("{path}: drawing failed: {message}")]
    Draw { path: PathBuf, message: String },
    #[error("{path}: {cause}")]
    Io { path: PathBuf, cause: std::io::Error },
    #[error("{path}: {cause}")]
    Csv { path: PathBuf, cause: csv::Error },
    #[error(transparent)]
    File(#[from] crate::files::FileError),
    /// The input exists but cannot be plotted as asked (a metric that is not in the table, a file
    /// that is not what its name says).
    #[error("{path}: {message}")]
    BadInput { path: PathBuf, message: String },
    /// The directory holds nothing this command can draw.
    #[error("{dir}: nothing to plot: {message}")]
    NothingToPlot { dir: PathBuf, message: String },
    #[error("{path}: unsupported image format (use .png or .svg)")]
    Format { path: PathBuf },
}
