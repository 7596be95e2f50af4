//! Scenario files: schema, loading with precise errors, validation and overrides.

pub mod error;
pub mod faults;
pub mod flink;
pub mod load;
pub mod schema;
pub mod spans;
pub mod validate;

pub use error::{Origin, ScenarioError};
pub use load::{LoadedScenario, Override, load_file, parse_str, set_path};
pub use schema::*;
