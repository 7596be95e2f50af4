//! Scenario files: schema, loading with precise errors, validation and overrides.

pub mod error;
pub mod faults;
pub mod flink;
pub mod load;
pub mod reference;
pub mod schema;
pub mod spans;
pub mod validate;

pub use error::{Origin, ScenarioError};
pub use flink::FlinkConf;
pub use load::{
    LoadedScenario, Override, load_file, load_file_with_flink_conf, parse_str, parse_with_flink_conf, set_path,
};
pub use schema::*;
