//! `liaison-server export …`: the console's exports from the command line, for force IT. The
//! same files, each a disclosure logged with its purpose and the name given with `--by`.

use super::monitoring::{self, StatisticsForm};
use super::{ExportError, Format, Subject};
use crate::storage::Storage;
use chrono::Utc;
use clap::Subcommand;
use std::io::Write;
use std::path::PathBuf;
use uuid::Uuid;

fn parse_format(s: &str) -> Result<Format, String> {
    Format::parse(s).ok_or_else(|| "use csv, geojson or json".to_string())
}

fn parse_statistics_form(s: &str) -> Result<StatisticsForm, String> {
    StatisticsForm::parse(s).ok_or_else(|| "use csv or pdf".to_string())
}

#[derive(Debug, Subcommand)]
pub enum ExportCommand {
    /// An operation's records (its own record and every record of it): CSV (one row per
    /// record's current version, with British National Grid references), GeoJSON (area,
    /// sectors and located records) or JSON (every revision with its hashes).
    Operation {
        #[arg(long)]
        id: Uuid,
        #[arg(long, value_parser = parse_format, default_value = "csv")]
        format: Format,
        /// Why the records are disclosed, and to whom (required; logged with the export).
        #[arg(long)]
        purpose: String,
        /// Who is recorded in the audit log as exporting.
        #[arg(long, default_value = "Force IT")]
        by: String,
        /// Where to write the file; standard output when left out.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// The directory shared with the whole force: people, groups, venues and agencies.
    Directory {
        #[arg(long, value_parser = parse_format, default_value = "csv")]
        format: Format,
        #[arg(long)]
        purpose: String,
        #[arg(long, default_value = "Force IT")]
        by: String,
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// The monitoring statistics for partners as CSV or as a PDF report, small numbers
    /// suppressed (the only form in which they leave the server).
    Statistics {
        #[arg(long, value_parser = parse_statistics_form, default_value = "csv")]
        format: StatisticsForm,
        /// First month, as 2026-01; twelve months before --to when left out.
        #[arg(long)]
        from: Option<String>,
        /// Last month, as 2026-12; this month when left out.
        #[arg(long)]
        to: Option<String>,
        #[arg(long)]
        purpose: String,
        #[arg(long, default_value = "Force IT")]
        by: String,
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

/// Why the command failed.
#[derive(Debug, thiserror::Error)]
pub enum CommandError {
    #[error("{}", describe(.0))]
    Export(#[from] ExportError),
    #[error("could not write the file: {0}")]
    Io(#[from] std::io::Error),
}

fn describe(e: &ExportError) -> String {
    match e {
        ExportError::Invalid { field, message } => format!("--{field} {message}"),
        ExportError::Storage(e) => e.to_string(),
    }
}

/// Runs the command: writes the file (to `--out`, or standard output) and, with `--out`, says
/// what was written.
pub fn run(storage: &dyn Storage, command: ExportCommand) -> Result<(), CommandError> {
    let now = Utc::now();
    let (bytes, out, summary) = match command {
        ExportCommand::Operation {
            id,
            format,
            purpose,
            by,
            out,
        } => {
            let e = super::export(storage, Subject::Operation(id), format, &by, &purpose, now)?;
            let summary = format!("{} records ({} revisions)", e.records, e.revisions);
            (e.bytes, out, summary)
        }
        ExportCommand::Directory {
            format,
            purpose,
            by,
            out,
        } => {
            let e = super::export(storage, Subject::Directory, format, &by, &purpose, now)?;
            let summary = format!("{} records ({} revisions)", e.records, e.revisions);
            (e.bytes, out, summary)
        }
        ExportCommand::Statistics {
            format,
            from,
            to,
            purpose,
            by,
            out,
        } => {
            let (from, to) = monitoring::period(from.as_deref(), to.as_deref(), now)?;
            let (bytes, _) = monitoring::export(storage, from, to, format, &by, &purpose, now)?;
            (bytes, out, format!("the statistics {} to {}", from.key(), to.key()))
        }
    };
    match out {
        Some(path) => {
            std::fs::write(&path, &bytes)?;
            println!(
                "wrote {} ({} bytes): {summary}; the disclosure is in the audit log",
                path.display(),
                bytes.len()
            );
        }
        None => std::io::stdout().write_all(&bytes)?,
    }
    Ok(())
}
