use std::path::Path;

fn main() {
    // The UI is built into ui/dist by `npm run build` (scripts/run.sh and scripts/e2e.sh do it
    // first). When it has not been built — a Rust-only check such as clippy on a fresh
    // checkout — a page saying so is put there, so the shell still compiles; the end-to-end
    // tests fail on that page, so it can never pass for the app.
    let dist = Path::new("../ui/dist");
    let index = dist.join("index.html");
    if !index.exists() {
        std::fs::create_dir_all(dist).expect("create ui/dist");
        std::fs::write(
            &index,
            "<!doctype html><html lang=\"en\"><title>Liaison</title><body><p id=\"ui-not-built\">The UI has not been built: run scripts/run.sh.</p></body></html>",
        )
        .expect("write the placeholder ui/dist/index.html");
    }
    println!("cargo:rerun-if-changed=../ui/dist");
    tauri_build::try_build(tauri_build::Attributes::new().config_path("../tauri.conf.json"))
        .expect("tauri.conf.json at the repository root is valid");
}
