//! Scenario files: schema, loading with precise errors, validation and overrides.

pub mod budget;
pub mod error;
pub mod faults;
pub mod flink;
pub mod imported;
pub mod limits;
pub mod load;
pub mod rate_profile;
pub mod read;
pub mod reference;
pub mod restart;
pub mod schema;
pub mod spans;
pub mod toml_path;
pub mod validate;
mod validate_bundle;

pub use error::{Origin, ScenarioError};
pub use flink::FlinkConf;
pub use limits::Limits;
pub use load::{
    LoadedScenario, Override, load_file, load_file_with, load_file_with_flink_conf, load_file_with_options, parse,
    parse_str, parse_str_with, parse_with_flink_conf,
};
pub use rate_profile::{ProfileShape, RateProfileCfg, RateSpikeError};
pub use schema::*;
pub use toml_path::set_path;
