//! # Liaison app (Tauri 2 shell)
//!
//! The app an officer holds: a webview showing the UI in `ui/`, and commands that are thin
//! calls into `liaison_core`. Built as a library with a mobile entry point so the same code
//! runs on Android and iOS; `main.rs` only calls [`run`].
//!
//! # Layout
//!
//! - [`commands`]: the `#[tauri::command]`s, one file per screen area, and the one list of
//!   them (`app_commands!`) that builds the handler and the bindings.
//! - [`error`]: the one error type the UI receives, `{ kind, message, field, problems }`.
//! - [`state`]: the open store and the officer; where the database lives; demo data on a new device.
//! - [`bindings`]: generates `ui/src/bindings.ts` from the Rust types and checks it is current.
//!
//! # Architecture invariants
//!
//! - No logic and no SQL here: a command calls one core function and maps its error.
//! - The webview may call only the app's own commands (`capabilities/main.json`); it loads
//!   nothing from the network (strict CSP in `tauri.conf.json`, everything bundled).

pub mod bindings;
pub mod commands;
pub mod error;
pub mod state;

use tauri::Manager;

#[cfg_attr(mobile, tauri::mobile_entry_point)]
pub fn run() {
    // WebKitGTK's accelerated compositing costs about 130 MB of memory in the web process for
    // this UI (measured by scripts/measure.sh: 400 → 271 MiB PSS for the whole app) and buys
    // nothing for a page of forms and lists. Set before any thread starts; an explicit setting wins.
    #[cfg(target_os = "linux")]
    if std::env::var_os("WEBKIT_DISABLE_COMPOSITING_MODE").is_none() {
        std::env::set_var("WEBKIT_DISABLE_COMPOSITING_MODE", "1");
    }
    let result = tauri::Builder::default()
        .invoke_handler(commands::handler())
        .setup(|app| {
            let data_dir = app.path().app_data_dir()?;
            let path = state::database_path(std::env::var("LIAISON_DB").ok(), &data_dir);
            let officer = state::officer(std::env::var("LIAISON_OFFICER").ok())?;
            let store = std::sync::Arc::new(std::sync::Mutex::new(state::open_store(&path)?));
            let tauri::async_runtime::RuntimeHandle::Tokio(runtime) = tauri::async_runtime::handle();
            let sync = state::start_sync(
                &store,
                &runtime,
                std::env::var("LIAISON_SERVER_URL").ok(),
                std::env::var("LIAISON_ENROLL_CODE").ok(),
            )
            .unwrap_or_else(|e| {
                eprintln!("sync not started: {e}");
                None
            });
            app.manage(state::AppState::new(store, officer, sync));
            Ok(())
        })
        .run(tauri::generate_context!("../tauri.conf.json"));
    if let Err(e) = result {
        eprintln!("Liaison could not start: {e}");
        std::process::exit(1);
    }
}
