//! The module's command-line subcommands: `imis import diagnoses FILE`.

use futures::future::BoxFuture;
use imis_core::registry::CliCommandDef;
use imis_core::{AppError, AppResult, AppState};

pub(crate) const COMMANDS: &[CliCommandDef] = &[CliCommandDef {
    name: "import diagnoses",
    about: "Import ICD diagnoses from a CSV file with the header `code,name`",
    usage: "<file.csv>",
    run: import_diagnoses,
}];

/// `imis import diagnoses FILE`: added or updated with history; a bad line refuses the file.
fn import_diagnoses(state: AppState, args: Vec<String>) -> BoxFuture<'static, AppResult<String>> {
    Box::pin(async move {
        let [file] = args.as_slice() else {
            return Err(AppError::validation("medical.import_usage"));
        };
        let text = std::fs::read_to_string(file).map_err(|e| {
            AppError::validation("medical.import_unreadable")
                .with("file", file)
                .with("reason", e)
        })?;
        let report = crate::service::import_diagnoses_csv(&state, None, &text).await?;
        Ok(format!(
            "{file}: {} lines, {} added, {} updated, {} unchanged",
            report.lines, report.inserted, report.updated, report.unchanged
        ))
    })
}
