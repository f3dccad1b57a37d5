//! `pbf-report schema`: the JSON Schema of a form's sources, on standard output.

use crate::cli::SchemaArgs;
use crate::error::{Result, Status};

pub fn run(args: &SchemaArgs) -> Result<Status> {
    let form = super::form_named(&args.template)?;
    let text = serde_json::to_string_pretty(&form.schema()).expect("a schema serialises");
    super::print_out(&format!("{text}\n"))?;
    Ok(Status::Success)
}
