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
//! - [`state`]: the core's device session (vault, lock, enrolment, sync, wipe policy) and the
//!   commands' doors to its store; where the database lives.
//! - [`bindings`]: generates `ui/src/bindings.ts` from the Rust types and checks it is current.
//! - [`tiles`]: the `maptiles:` URI scheme, which hands the webview a force's own map tiles.
//! - [`screen`]: the officer's window, destroyed at every lock (and its web process with it)
//!   and built afresh for the lock screen.
//! - [`alloc`]: freed memory scrubbed, the Rust heap's and the C heap's.
//!
//! # Architecture invariants
//!
//! - No logic and no SQL here: a command calls one core function and maps its error.
//! - The webview may call only the app's own commands (`capabilities/main.json`); it loads
//!   nothing from the network (strict CSP in `tauri.conf.json`, everything bundled).

pub mod alloc;
pub mod bindings;
pub mod commands;
pub mod error;
pub mod screen;
pub mod state;
pub mod tiles;

use liaison_core::service::session;
use tauri::Manager;

#[global_allocator]
static ALLOCATOR: alloc::ZeroOnFree = alloc::ZeroOnFree;

#[cfg_attr(mobile, tauri::mobile_entry_point)]
pub fn run() {
    // First of all, since it may start the program again (which would undo what follows):
    // every block C code frees is overwritten, WebKit's included.
    let scrub = alloc::scrub_freed_c_heap();
    // Before anything is decrypted: a crash must never write the key or decrypted pages to
    // disk as a core dump, and no other process of this user may read this one's memory.
    let hardened = liaison_core::files::no_core_dumps();
    // WebKitGTK's accelerated compositing costs about 130 MB of memory in the web process for
    // this UI (measured by scripts/measure.sh: 400 → 271 MiB PSS for the whole app) and buys
    // nothing for a page of forms and lists. Set before any thread starts; an explicit setting wins.
    #[cfg(target_os = "linux")]
    if std::env::var_os("WEBKIT_DISABLE_COMPOSITING_MODE").is_none() {
        std::env::set_var("WEBKIT_DISABLE_COMPOSITING_MODE", "1");
    }
    // Logs go to stderr (RUST_LOG, default info). They carry ids, counts and errors; never a
    // passcode, key, token or record text (scripts/e2e.sh searches them for those).
    let _ = tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .try_init();
    if let Err(e) = hardened {
        tracing::error!(error = %e, "core dumps could not be turned off");
    }
    match scrub {
        alloc::Scrub::On | alloc::Scrub::NotAvailable => {}
        alloc::Scrub::TurnedOff => tracing::warn!("freed C heap memory is not scrubbed (LIAISON_C_HEAP_SCRUB=off)"),
        alloc::Scrub::NotRestarted(e) => {
            tracing::error!(error = %e, "the app could not restart itself to scrub all freed memory")
        }
    }
    // An enrolment string to prefill (demo and tests) is taken out of the environment before
    // any thread starts, so its one-time code is not left readable there for the life of the app.
    let mut enrolment_prefill = std::env::var("LIAISON_ENROLMENT_STRING")
        .ok()
        .map(zeroize::Zeroizing::new);
    std::env::remove_var("LIAISON_ENROLMENT_STRING");
    let result = tauri::Builder::default()
        .invoke_handler(commands::handler())
        // A force's map tiles, read from the file on a worker thread, never on the webview's.
        .register_asynchronous_uri_scheme_protocol(tiles::SCHEME, |ctx, request, responder| {
            let app = ctx.app_handle().clone();
            let path = request.uri().path().to_string();
            tauri::async_runtime::spawn_blocking(move || match app.try_state::<state::AppState>() {
                Some(state) => responder.respond(tiles::respond(&state.tiles, &path)),
                None => responder.respond(tiles::not_ready()),
            });
        })
        .setup(move |app| {
            let data_dir = app.path().app_data_dir()?;
            let env = |name: &str| std::env::var(name).ok();
            let path = state::database_path(env("LIAISON_DB"), &data_dir);
            state::ensure_folder(&path)?;
            // Force IT puts the force's own map (a PMTiles file) in `maps/` beside the database.
            let map_tiles = liaison_core::tiles::Tiles::new(liaison_core::tiles::folder_beside(&path));
            let settings = session::lock_settings(env("LIAISON_IDLE_LOCK_SECONDS"), env("LIAISON_PASSCODE_ATTEMPTS"))?;
            // Plain HTTP to this machine only, for development and tests; the force server's
            // address and CA come from the enrolment string, never from the environment.
            let allow_plain_loopback = env("LIAISON_ALLOW_PLAIN_LOOPBACK").is_some_and(|v| v == "1");
            let tauri::async_runtime::RuntimeHandle::Tokio(runtime) = tauri::async_runtime::handle();
            // The app starts locked: nothing is opened until the officer's passcode is entered.
            // The key is kept by the tablet's TPM when built with `tpm` and one is provisioned.
            let vault = liaison_core::crypto::Vault::open(path, settings);
            let session = session::Session::new(vault, allow_plain_loopback, runtime);
            let app_state = state::AppState::new(session, map_tiles, enrolment_prefill.take());
            app_state.screen.attach(app.handle().clone());
            app.manage(app_state);
            // The idle lock and the remote wipe are applied even when the officer does nothing,
            // and the window that showed records is replaced once the vault is locked.
            let handle = app.handle().clone();
            std::thread::Builder::new()
                .name("lock-timer".into())
                .spawn(move || loop {
                    std::thread::sleep(std::time::Duration::from_secs(1));
                    let state = handle.state::<state::AppState>();
                    state.session.tick();
                    state.screen.watch(|| state.session.is_unlocked());
                })?;
            Ok(())
        })
        .run(tauri::generate_context!("../tauri.conf.json"));
    if let Err(e) = result {
        eprintln!("Liaison could not start: {e}");
        std::process::exit(1);
    }
}
