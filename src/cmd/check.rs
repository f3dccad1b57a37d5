//! `pbf-report check`: every problem of every source, then a summary.

use super::plural;
use crate::check;
use crate::cli::CheckArgs;
use crate::error::{Result, Status};

pub fn run(args: &CheckArgs) -> Result<Status> {
    let (sources, missing) = crate::sources::find(&args.paths);
    let (mut errors, mut warnings) = (missing.len(), 0);
    for problem in &missing {
        crate::say!("error: {problem}");
    }
    for path in &sources {
        let mut checked = check::check_file(path);
        // `check` has no output folder of its own: a superseded version is looked for in out/.
        let version = crate::build::version_of(path).ok();
        if let (Some(report), Some(version)) = (&checked.report, version) {
            let out = std::path::Path::new("out");
            checked.diagnostics.extend(crate::build::supersedes_problem(
                report, &version, path, out,
            ));
        }
        if !checked.diagnostics.is_empty() {
            crate::say!("{}", checked.render());
        }
        if checked.consistency_skipped {
            crate::say!(
                "note: {}: budget, duration and Annex A checks run once the errors above are fixed\n",
                crate::terminal::path(path)
            );
        }
        let e = checked.diagnostics.iter().filter(|d| d.is_error()).count();
        errors += e;
        warnings += checked.diagnostics.len() - e;
    }
    crate::say!(
        "checked {} source{}: {errors} error{}, {warnings} warning{}",
        sources.len(),
        plural(sources.len()),
        plural(errors),
        plural(warnings)
    );
    let failed = errors > 0 || (args.deny_warnings && warnings > 0);
    Ok(if failed {
        Status::Invalid
    } else {
        Status::Success
    })
}
