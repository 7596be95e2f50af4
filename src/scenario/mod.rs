//! Scenario files: schema, loading with precise errors, validation and overrides.

pub mod budget;
pub mod error;
pub mod faults;
pub mod limits;
pub mod load;
pub mod read;
pub mod schema;
pub mod spans;
pub mod validate;

pub use error::{Origin, ScenarioError};
pub use limits::Limits;
pub use load::{LoadedScenario, Override, load_file, load_file_with, parse_str, parse_str_with, set_path};
pub use schema::*;
