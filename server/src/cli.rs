//! The admin command line: start the server, create operations and assign officers, issue
//! one-time enrollment codes, revoke devices, verify the evidence, flag records due for review
//! under the retention policy, export the audit trail of a person or an operation.

use crate::limits::Limits;
use crate::storage::{
    postgres::PostgresStorage, sqlite::SqliteStorage, AuditSubject, NewOperation, ReviewItem, RevocationReason,
    Storage, StorageError,
};
use chrono::{DateTime, Duration, Utc};
use clap::{Parser, Subcommand};
use liaison_core::records::EventKind;
use liaison_core::retention::{PolicyError, RetentionPolicy};
use liaison_core::OfficerId;
use std::io::Write;
use std::net::SocketAddr;
use std::num::NonZeroU32;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use uuid::Uuid;

#[derive(Debug, Parser)]
#[command(name = "liaison-server", version, about = "The Liaison force server")]
pub struct Cli {
    /// The server database (created on first use).
    #[arg(long, env = "LIAISON_SERVER_DB", default_value = "liaison-server.db", global = true)]
    pub db: PathBuf,
    /// A PostgreSQL database instead of the SQLite file, for a force-wide deployment (several
    /// server processes on one database): postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE, or
    /// libpq's `host=… dbname=…` form. Its schema is created or brought up to date at start.
    #[arg(long, env = "LIAISON_SERVER_DATABASE", global = true, conflicts_with = "db")]
    pub database: Option<String>,
    /// Where the photos, audio notes and screenshots records name are kept (created on first
    /// use; owner only). Default: beside the SQLite file, `<db>.media`. With PostgreSQL and
    /// several server processes, a folder they all share.
    #[arg(long, env = "LIAISON_SERVER_MEDIA", global = true)]
    pub media_dir: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the sync API over TLS. Prints `listening on <address>` once ready.
    Serve {
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1:7878")]
        listen: SocketAddr,
        /// The server certificate (PEM, chain first), e.g. server.pem from `tls init`.
        #[arg(long, requires = "tls_key", conflicts_with = "plain_http_loopback")]
        tls_cert: Option<PathBuf>,
        /// The server certificate's private key (PEM).
        #[arg(long, requires = "tls_cert")]
        tls_key: Option<PathBuf>,
        /// Serve plain HTTP, only on a loopback address (127.0.0.1, ::1), for development.
        #[arg(long)]
        plain_http_loopback: bool,
        /// Sustained requests per minute per device.
        #[arg(long, default_value_t = Limits::default().device_per_minute)]
        device_rate: NonZeroU32,
        /// Requests a device may make in a burst.
        #[arg(long, default_value_t = Limits::default().device_burst)]
        device_burst: NonZeroU32,
        /// Sustained enrollment attempts per minute per client address.
        #[arg(long, default_value_t = Limits::default().enroll_per_minute)]
        enroll_rate: NonZeroU32,
        /// Enrollment attempts a client address may make in a burst.
        #[arg(long, default_value_t = Limits::default().enroll_burst)]
        enroll_burst: NonZeroU32,
        /// The address tablets reach this server at: with it, force IT issues enrolments in
        /// the console (the string names it).
        #[arg(long)]
        public_url: Option<String>,
        /// The force CA tablets pin (PEM, e.g. ca.pem from `tls init`), for enrolment strings
        /// issued in the console; needed when --public-url is https.
        #[arg(long, requires = "public_url")]
        ca: Option<PathBuf>,
        /// Where the console's built pages are (ui/dist-console); the build beside the source
        /// tree, or LIAISON_CONSOLE_DIR, when left out.
        #[arg(long)]
        console_dir: Option<PathBuf>,
    },
    /// Staff accounts for the force console. The first admin is made here; everyone else in
    /// the console.
    #[command(subcommand)]
    Staff(StaffCommand),
    /// TLS certificates.
    #[command(subcommand)]
    Tls(TlsCommand),
    /// Operations (events) and who is assigned to them.
    #[command(subcommand)]
    Operation(OperationCommand),
    /// Issue a one-time enrollment code for an officer's device. Printed once; only its hash is kept.
    EnrollCode {
        #[arg(long)]
        officer: String,
        #[arg(long, default_value_t = 24)]
        valid_hours: i64,
        /// The address tablets reach this server at. With it, the CLI prints the enrolment
        /// string (server, force CA and code in one line) and its QR code beside the code.
        #[arg(long)]
        server_url: Option<String>,
        /// The force CA tablets pin (PEM, e.g. ca.pem from `tls init`); needed for https.
        #[arg(long, requires = "server_url")]
        ca: Option<PathBuf>,
        /// Print only the enrolment string (for scripts); needs --server-url.
        #[arg(long, requires = "server_url")]
        string_only: bool,
    },
    /// Revoke a device: it is told to wipe itself at its next contact. Lost or stolen: nothing
    /// more is accepted from it. Retired: it may still push what it recorded until now, once,
    /// then is refused.
    Revoke {
        #[arg(long)]
        device: Uuid,
        #[arg(long, value_parser = parse_reason)]
        reason: RevocationReason,
    },
    /// Put the invented demonstration operation (Operation KESTREL, a march in Birmingham) on
    /// this server, in its own chain, and assign the demo team to it: a tablet enrolled for one
    /// of them receives it by the ordinary sync. For a demonstration server only: its people
    /// are invented and reach every device. Written once; run again, it only assigns.
    Demo {
        /// Officers to assign to the demo operation (repeat); the demo's team when left out.
        #[arg(long = "officer")]
        officers: Vec<String>,
        /// How many hours ago the march assembled: its records lead up to now.
        #[arg(long, default_value_t = 5)]
        started_hours_ago: i64,
    },
    /// Recompute every stored hash and check every device's chain.
    Verify,
    /// Records due for review under the retention policy (review date = last change + the
    /// kind's review period). With --due, flags the records due at --at (default now) so a
    /// reviewer sees them; without, lists the records flagged so far. Never deletes anything.
    Review {
        /// Compute what is due now (or at --at) and flag it.
        #[arg(long)]
        due: bool,
        /// The date to review at: RFC 3339 or YYYY-MM-DD (midnight UTC).
        #[arg(long, value_parser = parse_date)]
        at: Option<DateTime<Utc>>,
        /// A retention policy file; the built-in policy/retention.toml when left out.
        #[arg(long)]
        policy: Option<PathBuf>,
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
        /// Who is recorded in the audit log as flagging.
        #[arg(long, default_value = "Force IT")]
        by: String,
    },
    /// Export the audit trail of one person (a record) or one operation as JSON: the devices'
    /// entries (consultation, alteration, erasure…) and the server's (collection, disclosure,
    /// enrollment, review). The export is itself logged.
    Audit {
        #[arg(long, required_unless_present = "operation", conflicts_with = "operation")]
        record: Option<Uuid>,
        #[arg(long)]
        operation: Option<Uuid>,
        /// Why the trail is exported (logged with the export).
        #[arg(long, default_value = "audit trail export")]
        purpose: String,
        #[arg(long, default_value = "Force IT")]
        by: String,
    },
    /// Open exports of an operation's records or of the directory (CSV, GeoJSON, JSON with the
    /// full revision history) and the monitoring statistics for partners (CSV), each a
    /// disclosure logged with its purpose (docs/exports.md).
    #[command(subcommand)]
    Export(crate::export::command::ExportCommand),
    /// Make the debrief report of an operation as PDF (the same report as the console's
    /// "Debrief PDF"), with the disclosure logged with its purpose.
    Debrief {
        #[arg(long)]
        operation: Uuid,
        /// Where to write the PDF.
        #[arg(long)]
        out: std::path::PathBuf,
        /// Why the report is made (required: it is a disclosure of the operation's records).
        #[arg(long)]
        purpose: String,
        #[arg(long, default_value = "Force IT")]
        by: String,
        /// The time the report says it was made (RFC 3339 or YYYY-MM-DD); now by default. The
        /// same records and time make the same file.
        #[arg(long, value_parser = parse_date)]
        at: Option<DateTime<Utc>>,
    },
}

/// A date as RFC 3339, or a day (midnight UTC).
fn parse_date(s: &str) -> Result<DateTime<Utc>, String> {
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Ok(t.to_utc());
    }
    chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|t| t.and_utc())
        .ok_or_else(|| format!("`{s}` is not a date: give YYYY-MM-DD or RFC 3339 (2026-06-06T12:00:00Z)"))
}

fn print_review(items: &[ReviewItem], json: bool, computed: bool) -> Result<(), CliError> {
    if json {
        println!(
            "{}",
            serde_json::to_string_pretty(items).map_err(|e| CliError::Invalid(e.to_string()))?
        );
        return Ok(());
    }
    println!(
        "{:<24} {:<36} {:<36} {:<10} {:<10} flag",
        "kind", "record", "operation", "changed", "review"
    );
    for i in items {
        println!(
            "{:<24} {:<36} {:<36} {:<10} {:<10} {}",
            i.kind,
            i.record_id,
            i.operation_id.map(|o| o.to_string()).unwrap_or_else(|| "-".into()),
            i.last_change.format("%Y-%m-%d"),
            i.review_date.format("%Y-%m-%d"),
            if i.newly_flagged { "new" } else { "flagged earlier" }
        );
    }
    let new = items.iter().filter(|i| i.newly_flagged).count();
    if computed {
        println!("{} records due for review ({new} newly flagged)", items.len());
    } else {
        println!("{} records flagged for review", items.len());
    }
    Ok(())
}

#[derive(Debug, Subcommand)]
pub enum StaffCommand {
    /// Add a staff account. The password is read from LIAISON_STAFF_PASSWORD, else from the
    /// first line of standard input (never from the command line, where `ps` would show it).
    Add {
        #[arg(long)]
        username: String,
        #[arg(long)]
        name: String,
        /// admin, gold, silver, bronze, supervisor or officer.
        #[arg(long, value_parser = parse_role)]
        role: crate::console::model::StaffRole,
        /// The officer (collar number) in the directory this account belongs to.
        #[arg(long)]
        officer: Option<String>,
    },
    /// List the staff accounts.
    List,
}

fn parse_role(s: &str) -> Result<crate::console::model::StaffRole, String> {
    crate::console::model::StaffRole::parse(s)
        .ok_or_else(|| "use admin, gold, silver, bronze, supervisor or officer".to_string())
}

#[derive(Debug, Subcommand)]
pub enum OperationCommand {
    /// Create an operation; prints its id. It reaches every assigned officer's device.
    Create {
        #[arg(long)]
        name: String,
        /// protest, march, static_demo, football, community_event, pride, …
        #[arg(long, default_value = "protest")]
        kind: String,
        /// Start (RFC 3339); now when left out.
        #[arg(long)]
        starts: Option<DateTime<Utc>>,
        #[arg(long, default_value_t = 8)]
        hours: i64,
        #[arg(long, default_value = "")]
        briefing: String,
        /// Who is recorded as creating it.
        #[arg(long, default_value = "Force IT")]
        by: String,
    },
    /// Assign an officer to an operation.
    Assign {
        #[arg(long)]
        operation: Uuid,
        #[arg(long)]
        officer: String,
    },
    /// List operations and their officers.
    List,
}

#[derive(Debug, Subcommand)]
pub enum TlsCommand {
    /// Make a force CA (ca.pem, ca.key) and a server certificate it signs (server.pem,
    /// server.key) in DIR, for tests and the demo. Keys are readable by their owner only. An
    /// existing CA is never replaced.
    Init {
        #[arg(long)]
        dir: PathBuf,
        /// A name or address devices use to reach the server (repeat for more).
        #[arg(long = "host", required = true)]
        hosts: Vec<String>,
        /// Issue a new server certificate from the CA already in DIR.
        #[arg(long)]
        reuse_ca: bool,
    },
}

fn parse_reason(s: &str) -> Result<RevocationReason, String> {
    RevocationReason::parse(s).ok_or_else(|| "use lost, stolen or retired".to_string())
}

/// The media store the command line chose: `--media-dir`, or `<db>.media`.
fn media_store(dir: &Option<PathBuf>, db: &Path) -> Result<crate::media::FsMediaStore, CliError> {
    let opened = match dir {
        Some(d) => crate::media::FsMediaStore::open(d),
        None => crate::media::FsMediaStore::beside(db),
    };
    opened.map_err(|e| CliError::Invalid(format!("the media folder cannot be used: {e}")))
}

/// The database the command line chose: the SQLite file (`--db`) or PostgreSQL (`--database`).
enum Database {
    Sqlite(SqliteStorage),
    Postgres(PostgresStorage),
}

impl std::ops::Deref for Database {
    type Target = dyn Storage;

    fn deref(&self) -> &Self::Target {
        match self {
            Database::Sqlite(s) => s,
            Database::Postgres(p) => p,
        }
    }
}

impl Database {
    fn shared(self) -> Arc<dyn Storage> {
        match self {
            Database::Sqlite(s) => Arc::new(s),
            Database::Postgres(p) => Arc::new(p),
        }
    }

    /// For logs: the file, or the PostgreSQL host, port and name (never the password).
    fn describe(&self, cli: &Cli) -> String {
        match self {
            Database::Sqlite(_) => cli.db.display().to_string(),
            Database::Postgres(p) => format!("postgres {}", p.target()),
        }
    }
}

/// Why the command line failed.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error(transparent)]
    Storage(#[from] StorageError),
    #[error("`{0}` is not an event kind: use one of {1}")]
    BadKind(String, String),
    #[error("could not listen on {addr}: {source}. Is another server running there?")]
    Listen { addr: SocketAddr, source: std::io::Error },
    #[error("the server stopped: {0}")]
    Io(#[from] std::io::Error),
    #[error(transparent)]
    Policy(#[from] PolicyError),
    #[error("{0}")]
    Invalid(String),
    #[error(transparent)]
    Tls(#[from] crate::tls::TlsError),
    #[error(transparent)]
    Serve(#[from] crate::api::ServeError),
}

/// The enrolment string for a code: the server's address and, for https, the force CA.
fn enrolment_string(
    server_url: &str,
    ca: Option<&std::path::Path>,
    code: &str,
) -> Result<liaison_core::sync::Enrolment, CliError> {
    let ca_der = match ca {
        Some(path) => Some(crate::tls::first_certificate_der(path)?),
        None => None,
    };
    let e = liaison_core::sync::Enrolment {
        server_url: server_url.trim_end_matches('/').to_string(),
        code: code.to_string(),
        ca_der,
    };
    // What the tablet will do with it, checked here so IT never hands out a string it refuses.
    e.to_string()
        .parse::<liaison_core::sync::Enrolment>()
        .map_err(|err| CliError::Invalid(format!("--server-url/--ca: {err}")))
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Ctrl-C, or SIGTERM from a service manager: stop taking requests and finish those in
/// flight. (Nothing acknowledged can be lost either way: every batch is committed before it
/// is acknowledged.) The handlers are installed when this is called, before the server says
/// it is listening, so a signal sent right after is never missed.
fn stop_requested() -> impl std::future::Future<Output = ()> {
    #[cfg(unix)]
    let term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok();
    let ctrl_c = tokio::signal::ctrl_c();
    async move {
        #[cfg(unix)]
        if let Some(mut term) = term {
            tokio::select! {
                _ = ctrl_c => {}
                _ = term.recv() => {}
            }
            return;
        }
        let _ = ctrl_c.await;
    }
}

fn event_kind(s: &str) -> Result<EventKind, CliError> {
    serde_json::from_value(serde_json::Value::String(s.to_string())).map_err(|_| {
        let all: Vec<String> = EventKind::ALL
            .iter()
            .filter_map(|k| serde_json::to_value(k).ok())
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect();
        CliError::BadKind(s.to_string(), all.join(", "))
    })
}

pub fn run(cli: Cli) -> Result<(), CliError> {
    if let Command::Tls(TlsCommand::Init { dir, hosts, reuse_ca }) = &cli.command {
        // Needs no database.
        let issued = crate::tls::init(dir, hosts, *reuse_ca)?;
        if issued.new_ca {
            println!("force CA: {} (give this to devices)", issued.ca_cert.display());
        } else {
            println!("force CA reused: {}", issued.ca_cert.display());
        }
        println!("server certificate: {}", issued.server_cert.display());
        println!("server key: {}", issued.server_key.display());
        return Ok(());
    }
    let storage = match &cli.database {
        Some(url) => Database::Postgres(PostgresStorage::open(url)?),
        None => Database::Sqlite(SqliteStorage::open(&cli.db)?),
    };
    let database = storage.describe(&cli);
    match cli.command {
        Command::Tls(_) => Ok(()),
        Command::Serve {
            listen,
            tls_cert,
            tls_key,
            plain_http_loopback,
            device_rate,
            device_burst,
            enroll_rate,
            enroll_burst,
            public_url,
            ca,
            console_dir,
        } => {
            let enrolment = match public_url {
                Some(url) => {
                    // Checked as the tablet will read it, so the console never issues a string
                    // the tablet refuses.
                    let e = enrolment_string(&url, ca.as_deref(), "CHECK-CODE")?;
                    Some(crate::console::EnrolmentTarget {
                        server_url: e.server_url,
                        ca_der: e.ca_der,
                    })
                }
                None => None,
            };
            let console = crate::console::ConsoleOptions {
                assets: console_dir.or_else(crate::console::default_assets),
                enrolment,
                ..Default::default()
            };
            let tls = match (tls_cert, tls_key) {
                (Some(cert), Some(key)) => Some(crate::tls::server_config(&cert, &key)?),
                _ if plain_http_loopback => {
                    if !listen.ip().is_loopback() {
                        return Err(crate::api::ServeError::PlainHttpNotLoopback(listen).into());
                    }
                    None
                }
                _ => {
                    return Err(CliError::Invalid(
                        "give --tls-cert and --tls-key (make them with `liaison-server tls init --dir DIR --host \
                         NAME`), or --plain-http-loopback to serve plain HTTP on 127.0.0.1 for development"
                            .into(),
                    ))
                }
            };
            let options = crate::api::ServeOptions {
                tls,
                limits: Limits {
                    device_per_minute: device_rate,
                    device_burst,
                    enroll_per_minute: enroll_rate,
                    enroll_burst,
                    ..Limits::default()
                },
                console,
                media: Some(Arc::new(media_store(&cli.media_dir, &cli.db)?)),
                media_quota: None,
            };
            let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
            rt.block_on(async move {
                let listener = tokio::net::TcpListener::bind(listen)
                    .await
                    .map_err(|source| CliError::Listen { addr: listen, source })?;
                let addr = listener.local_addr()?;
                let stop = stop_requested();
                let shutdown = async {
                    stop.await;
                    tracing::info!("stopping: finishing requests in flight");
                };
                let scheme = if options.tls.is_some() { "https" } else { "http" };
                if options.tls.is_none() {
                    eprintln!(
                        "warning: serving plain HTTP on {addr} (--plain-http-loopback): for development on this \
                         machine only; devices need LIAISON_ALLOW_PLAIN_LOOPBACK=1"
                    );
                }
                tracing::info!(%addr, %scheme, %database, "serving");
                // Scripts read this line: keep it `listening on <address>`.
                println!("listening on {addr}");
                std::io::stdout().flush()?;
                crate::api::serve_with(listener, storage.shared(), options, shutdown).await?;
                Ok(())
            })
        }
        Command::Operation(OperationCommand::Create {
            name,
            kind,
            starts,
            hours,
            briefing,
            by,
        }) => {
            let starts_at = starts.unwrap_or_else(Utc::now);
            let id = storage.create_operation(&NewOperation {
                name,
                event_kind: event_kind(&kind)?,
                starts_at,
                ends_at: starts_at + Duration::hours(hours.max(0)),
                briefing,
                created_by: OfficerId::new(by).map_err(|e| CliError::Invalid(e.to_string()))?,
            })?;
            println!("{id}");
            Ok(())
        }
        Command::Demo {
            officers,
            started_hours_ago,
        } => {
            let officers = if officers.is_empty() {
                liaison_core::demo::team().into_iter().map(String::from).collect()
            } else {
                officers
            };
            let start = Utc::now() - Duration::hours(started_hours_ago.clamp(0, 24 * 365));
            let loaded = crate::demo::load(&*storage, start, &officers)?;
            let sign_ins = crate::demo::load_people(&*storage)?;
            if loaded.revisions == 0 {
                println!(
                    "the demo operation is already on this server: {}",
                    loaded.operation_name
                );
            } else {
                println!(
                    "demo operation: {} ({} revisions)",
                    loaded.operation_name, loaded.revisions
                );
            }
            println!("operation: {}", loaded.operation_id);
            println!("assigned: {}", loaded.assigned.join(", "));
            match sign_ins {
                crate::demo::DemoSignIns::Made | crate::demo::DemoSignIns::Held => {
                    println!("console sign-ins (demonstration only):");
                    for (username, name, _, _, password) in crate::demo::DEMO_STAFF {
                        println!("  {username:<12} {password:<26} {name}");
                    }
                }
                crate::demo::DemoSignIns::Refused => println!(
                    "console sign-ins: none made, because this server has staff accounts of its own (the demo's \
                     passwords are published)"
                ),
            }
            Ok(())
        }
        Command::Staff(StaffCommand::Add {
            username,
            name,
            role,
            officer,
        }) => {
            let password = match std::env::var("LIAISON_STAFF_PASSWORD") {
                Ok(p) => p,
                Err(_) => {
                    eprintln!(
                        "password for {username} (one line, at least {} characters):",
                        crate::console::password::MIN_LENGTH
                    );
                    let mut line = String::new();
                    std::io::stdin().read_line(&mut line)?;
                    line.trim_end_matches(['\r', '\n']).to_string()
                }
            };
            crate::console::check_username(&username).map_err(|e| CliError::Invalid(format!("--username {e}")))?;
            crate::console::password::check_new(&password, &username)
                .map_err(|e| CliError::Invalid(format!("the password {e}")))?;
            let officer = officer
                .map(|o| OfficerId::new(o.as_str()).map_err(|e| CliError::Invalid(format!("--officer: {e}"))))
                .transpose()?;
            let password_hash = crate::console::password::hash(&password).map_err(CliError::Invalid)?;
            let staff = storage.add_staff(
                &crate::storage::console::StaffAccount {
                    username: username.clone(),
                    display_name: name,
                    role,
                    officer,
                    password_hash,
                },
                "command line",
            )?;
            println!("staff account {} ({}) added", staff.username, staff.role.as_str());
            Ok(())
        }
        Command::Staff(StaffCommand::List) => {
            for s in storage.staff()? {
                println!(
                    "{:<24} {:<12} {:<12} {}",
                    s.username,
                    s.role.as_str(),
                    s.officer.as_deref().unwrap_or("-"),
                    s.display_name
                );
            }
            Ok(())
        }
        Command::Operation(OperationCommand::Assign { operation, officer }) => {
            storage.assign(operation, &officer)?;
            println!("{officer} assigned to {operation}");
            Ok(())
        }
        Command::Operation(OperationCommand::List) => {
            for (id, name, officers) in storage.operations()? {
                println!("{id}  {name}  [{}]", officers.join(", "));
            }
            Ok(())
        }
        Command::EnrollCode {
            officer,
            valid_hours,
            server_url,
            ca,
            string_only,
        } => {
            // The string and its QR code are made (and the CA read) before the code is stored:
            // a bad --ca or a string too long to draw leaves no unusable code behind.
            let code = crate::auth::new_enrollment_code();
            let enrolment = match server_url {
                Some(url) => Some(enrolment_string(&url, ca.as_deref(), &code)?),
                None => None,
            };
            let qr = match (&enrolment, string_only) {
                (Some(e), false) => Some(crate::auth::qr_text(&e.to_string()).map_err(CliError::Invalid)?),
                _ => None,
            };
            let expires = Utc::now() + Duration::hours(valid_hours.clamp(1, 24 * 14));
            storage.add_enrollment_code(
                &crate::auth::hash_secret(&crate::auth::normalise_code(&code)),
                &officer,
                expires,
            )?;
            match (enrolment, qr) {
                (None, _) => println!("{code}"),
                (Some(e), None) => println!("{e}"),
                (Some(e), Some(qr)) => {
                    println!("enrolment code for {officer} (valid until {expires}): {code}");
                    println!("enrolment string (paste or scan on the tablet's first screen):\n{e}");
                    println!("{qr}");
                }
            }
            Ok(())
        }
        Command::Revoke { device, reason } => {
            storage.revoke_device(device, reason)?;
            match reason {
                RevocationReason::Retired => println!(
                    "device {device} revoked (retired): it may push what it recorded until now, then must wipe"
                ),
                _ => println!("device {device} revoked ({reason}): nothing more is accepted from it"),
            }
            Ok(())
        }
        Command::Verify => {
            let report = storage.verify()?;
            println!(
                "{} revisions from {} devices; {} problems",
                report.revisions,
                report.devices,
                report.problems.len()
            );
            for p in &report.problems {
                println!("  {p}");
            }
            let media = media_store(&cli.media_dir, &cli.db)?;
            let (files, media_problems) =
                crate::media::MediaStore::verify(&media).map_err(|e| CliError::Invalid(e.to_string()))?;
            println!("media: {files} files; {} problems", media_problems.len());
            for p in &media_problems {
                println!("  media {}: {}", p.sha256, p.problem);
            }
            let audit = storage.verify_audit()?;
            println!(
                "audit: {} server entries, {} entries from {} devices; {} audit problems",
                audit.server_entries,
                audit.device_entries,
                audit.devices,
                audit.problems.len()
            );
            for p in &audit.problems {
                println!("  {p}");
            }
            if report.problems.is_empty() && audit.problems.is_empty() && media_problems.is_empty() {
                Ok(())
            } else {
                Err(CliError::Invalid("the evidence does not verify".into()))
            }
        }
        Command::Review {
            due,
            at,
            policy,
            json,
            by,
        } => {
            let policy = match policy {
                Some(path) => RetentionPolicy::load(path)?,
                None => RetentionPolicy::embedded().clone(),
            };
            if due {
                let items = storage.flag_reviews_due(&policy, at.unwrap_or_else(Utc::now), &by)?;
                print_review(&items, json, true)
            } else {
                print_review(&storage.review_flags()?, json, false)
            }
        }
        Command::Audit {
            record,
            operation,
            purpose,
            by,
        } => {
            let subject = match (record, operation) {
                (Some(r), _) => AuditSubject::Record(r),
                (None, Some(o)) => AuditSubject::Operation(o),
                (None, None) => return Err(CliError::Invalid("give --record or --operation".into())),
            };
            let trail = storage.audit_trail(subject, &by, &purpose)?;
            println!(
                "{}",
                serde_json::to_string_pretty(&trail).map_err(|e| CliError::Invalid(e.to_string()))?
            );
            Ok(())
        }
        Command::Export(e) => crate::export::command::run(&*storage, e).map_err(|e| CliError::Invalid(e.to_string())),
        Command::Debrief {
            operation,
            out,
            purpose,
            by,
            at,
        } => {
            let at = at.unwrap_or_else(Utc::now);
            let (d, pdf) = crate::console::debrief::report_pdf(&*storage, operation, &by, &purpose, at)
                .map_err(|e| CliError::Invalid(e.to_string()))?;
            std::fs::write(&out, &pdf)?;
            println!(
                "wrote {} ({} bytes): the debrief of {} from {} records, SHA-256 {}",
                out.display(),
                pdf.len(),
                d.name,
                d.records,
                d.records_sha256
            );
            Ok(())
        }
    }
}
