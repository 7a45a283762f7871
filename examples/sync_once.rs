//! One device, one sync, from the command line: what the app's "sync now" does.
//!
//!     cargo run --example sync_once -- <device.db> <server-url> [enrollment-code]
//!
//! An https:// server needs the force CA: `LIAISON_SERVER_CA=/path/to/ca.pem`. Plain http://
//! works on this machine only, with `LIAISON_ALLOW_PLAIN_LOOPBACK=1`.
//!
//! Opens (or creates) the device database, fills it with the demo operation when it is empty,
//! enrols with the code when one is given, syncs once and prints the status strip's figures.

use liaison_core::store::Store;
use liaison_core::sync::{self, SyncClient, SyncOptions};
use std::sync::Mutex;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [db, url, rest @ ..] = args.as_slice() else {
        eprintln!("usage: sync_once <device.db> <server-url> [enrollment-code]");
        std::process::exit(2);
    };
    let mut store = Store::open(db)?;
    if store.revision_count()? == 0 {
        let demo = liaison_core::demo::generate(&mut store, chrono::Utc::now(), 1)?;
        println!("demo operation written: {} revisions", demo.revisions);
    }
    let store = Mutex::new(store);
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    rt.block_on(async {
        let options = SyncOptions {
            ca_pem: match std::env::var_os("LIAISON_SERVER_CA") {
                Some(path) => Some(std::fs::read(path).map_err(|e| sync::SyncError::BadForceCa(e.to_string()))?),
                None => None,
            },
            allow_plain_loopback: std::env::var("LIAISON_ALLOW_PLAIN_LOOPBACK").is_ok_and(|v| v == "1"),
            ..SyncOptions::default()
        };
        let client = SyncClient::new(url, options)?;
        if let Some(code) = rest.first() {
            let enrolled = client.enroll(&store, code).await?;
            println!("enrolled device {} for {}", enrolled.device_id, enrolled.officer);
        }
        let report = client
            .sync(&store, &|phase, done, total| eprintln!("{phase:?} {done}/{total}"))
            .await?;
        println!(
            "pushed {} ({} already held, {} quarantined) in {} batches, pulled {}; {} bytes sent",
            report.pushed,
            report.already_held,
            report.quarantined,
            report.push_batches,
            report.pulled,
            report.bytes_sent
        );
        Ok::<_, sync::SyncError>(())
    })?;
    let status = sync::scheduler::status(&store.lock().unwrap_or_else(|e| e.into_inner()))?;
    println!("{}", serde_json::to_string_pretty(&status)?);
    Ok(())
}
