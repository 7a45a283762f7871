//! The app's process protections, in a process of their own (they cannot be undone).

#[test]
fn after_hardening_this_process_writes_no_core_dump_and_is_not_dumpable() {
    assert!(
        liaison_core::files::core_dumps_allowed(),
        "a test process starts with the defaults"
    );
    liaison_core::files::no_core_dumps().unwrap();
    assert!(!liaison_core::files::core_dumps_allowed());
    let limits = std::fs::read_to_string("/proc/self/limits").unwrap();
    let core = limits.lines().find(|l| l.starts_with("Max core file size")).unwrap();
    assert_eq!(
        core.split_whitespace().skip(4).take(2).collect::<Vec<_>>(),
        ["0", "0"],
        "{core}"
    );
}

#[test]
fn the_device_database_its_wal_and_its_key_are_created_readable_by_their_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("liaison.db");
    let mut vault = liaison_core::crypto::Vault::new(&db, Default::default());
    vault.set_up("a long enough passcode").unwrap();
    {
        let store = vault.store().unwrap();
        let store = store.lock().unwrap();
        store
            .save_draft("k", &liaison_core::OfficerId::new("PC 1").unwrap(), "x")
            .unwrap();
    }
    let mut seen = Vec::new();
    for entry in std::fs::read_dir(dir.path()).unwrap().flatten() {
        let mode = entry.metadata().unwrap().permissions().mode() & 0o777;
        seen.push((entry.file_name().to_string_lossy().to_string(), mode));
    }
    assert!(seen.iter().any(|(n, _)| n.ends_with("-wal")), "{seen:?}");
    assert!(seen.len() >= 3, "database, WAL and key: {seen:?}");
    assert!(seen.iter().all(|(_, m)| *m == 0o600), "{seen:?}");
}
