//! `pbf-report schema`: the JSON Schema of the source format, on standard output.

use crate::error::{Result, Status};

pub fn run() -> Result<Status> {
    let text = serde_json::to_string_pretty(&crate::form::Form::pbf_2019().schema())
        .expect("a schema serialises");
    super::print_out(&format!("{text}\n"))?;
    Ok(Status::Success)
}
