//! Debian's software TPM for the TPM tests and the crypto benchmark: a fresh `swtpm` on free
//! local ports with its own state, provisioned as force IT would provision a tablet, stopped
//! (by its own pid) when dropped. Included with `#[path]` by tests/tpm.rs and benches/crypto.rs.

#![allow(dead_code)]

use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Wrong tries the test TPMs allow before locking out.
pub const MAX_TRIES: u32 = 3;

/// A running swtpm with its own state directory; stopped (by its pid) when dropped.
pub struct Swtpm {
    pub child: Child,
    port: u16,
    _state: tempfile::TempDir,
}

/// Two free consecutive ports: the swtpm TCTI finds the control channel at the server's port + 1.
fn free_ports() -> (u16, u16) {
    loop {
        let first = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = first.local_addr().unwrap().port();
        if port < u16::MAX && TcpListener::bind(("127.0.0.1", port + 1)).is_ok() {
            return (port, port + 1);
        }
    }
}

fn installed(program: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {program}")])
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// A fresh software TPM, or `None` (the test is skipped) when the simulator is not installed
/// outside CI. Under CI a missing simulator is a failure: the TPM path must be tested there.
pub fn swtpm() -> Option<Swtpm> {
    for program in ["swtpm", "tpm2_dictionarylockout", "tpm2_changeauth"] {
        if !installed(program) {
            if std::env::var("CI").is_ok_and(|v| v == "true") {
                panic!("{program} is not installed: CI must run the TPM tests (apt-get install swtpm swtpm-tools tpm2-tools)");
            }
            eprintln!("skipped: {program} is not installed (apt-get install swtpm swtpm-tools tpm2-tools)");
            return None;
        }
    }
    // tss2 logs every refusal the tests provoke (wrong passcodes, a foreign key) to stderr.
    if std::env::var_os("TSS2_LOG").is_none() {
        std::env::set_var("TSS2_LOG", "all+none");
    }
    let state = tempfile::tempdir().unwrap();
    let (port, ctrl) = free_ports();
    let child = Command::new("swtpm")
        .arg("socket")
        .arg("--tpm2")
        .arg("--tpmstate")
        .arg(format!("dir={}", state.path().display()))
        .args(["--server", &format!("type=tcp,port={port},bindaddr=127.0.0.1")])
        .args(["--ctrl", &format!("type=tcp,port={ctrl},bindaddr=127.0.0.1")])
        .args(["--flags", "not-need-init,startup-clear"])
        .stdout(Stdio::null())
        .spawn()
        .expect("swtpm starts");
    let tpm = Swtpm {
        child,
        port,
        _state: state,
    };
    let deadline = Instant::now() + Duration::from_secs(10);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "swtpm did not listen on {port}");
        std::thread::sleep(Duration::from_millis(20));
    }
    Some(tpm)
}

impl Swtpm {
    pub fn tcti(&self) -> String {
        format!("swtpm:host=127.0.0.1,port={}", self.port)
    }

    /// What force IT does once per tablet: the DA limits, then a random lockout authorisation
    /// that nobody keeps, so that nobody (the attacker included) can reset the count.
    pub fn provision(&self) -> &Self {
        self.tpm2(&[
            "tpm2_dictionarylockout",
            "--setup-parameters",
            &format!("--max-tries={MAX_TRIES}"),
            "--recovery-time=3600",
            "--lockout-recovery-time=86400",
        ]);
        let secret: String = (0..32).map(|_| fastrand::alphanumeric()).collect();
        self.tpm2(&["tpm2_changeauth", "-c", "lockout", &secret]);
        self
    }

    fn tpm2(&self, args: &[&str]) {
        let out = Command::new(args[0])
            .args(&args[1..])
            .env("TPM2TOOLS_TCTI", self.tcti())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

impl Drop for Swtpm {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
