//! The app's allocator: the system allocator, but every block is zeroed when it is freed (and
//! when `realloc` moves it). A record's text, a passcode or a token that passed through the
//! app (IPC buffers, JSON, decrypted rows) is then gone from the process's memory once freed:
//! after the lock, a memory dump of the app holds none of it (checked by the e2e journey).
//! SQLite's own memory is wiped by SQLCipher (`cipher_memory_security`).
//!
//! The C heap is not this allocator's: GLib, GTK and WebKitGTK's side of the webview in the
//! app's process allocate with glibc's malloc, and WebKit with its own. [`scrub_freed_c_heap`]
//! has glibc overwrite every block it frees, WebKit's included. What a page holds in WebKit's
//! web process goes with the process, which ends at the lock (`crate::screen`).

use std::alloc::{GlobalAlloc, Layout, System};

pub struct ZeroOnFree;

unsafe impl GlobalAlloc for ZeroOnFree {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded unchanged; the caller upholds `GlobalAlloc::alloc`'s contract.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: as for `alloc`.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` was allocated by this allocator with `layout`, so `layout.size()` bytes
        // are ours to write until they are freed just below.
        unsafe {
            std::ptr::write_bytes(ptr, 0, layout.size());
            // The block is about to be freed: without this the compiler may drop the zeroing
            // as a dead store.
            std::hint::black_box(ptr);
            System.dealloc(ptr, layout)
        }
    }

    // `realloc` is left to the default (allocate, copy, `dealloc`), so a moved block's old
    // copy is zeroed too; the system's realloc would free it as it is.
}

/// The tunables that make glibc scrub what it frees (read only when a program starts): its
/// per-thread cache off (a block in it would not be overwritten), and every freed block
/// overwritten with 0xa5 (new ones get its complement, 0x5a; neither is text).
#[cfg(all(target_os = "linux", target_env = "gnu"))]
const TUNABLES: &str = "glibc.malloc.tcache_count=0:glibc.malloc.perturb=165";

/// Has every block freed by C code in the app's process overwritten: the copies of a record's
/// text or of the passcode that WebKitGTK and GLib make there (a request's body, the text
/// under the pointer, a hit-test result) are gone once they are freed. Call first thing, before
/// anything is decrypted or typed and before any thread starts.
///
/// On Linux with glibc the app starts itself again once (`exec`, same process id) with
/// [`TUNABLES`] and `Malloc=1`, which has WebKit's own allocator (bmalloc/libpas, which no one
/// scrubs) hand its work to glibc. Both are inherited by WebKit's web and network processes.
///
/// `LIAISON_C_HEAP_SCRUB=off` leaves it all out, only so that `scripts/measure.sh` can show
/// what it costs (a warning is logged).
pub fn scrub_freed_c_heap() -> Scrub {
    if std::env::var("LIAISON_C_HEAP_SCRUB").is_ok_and(|v| v == "off") {
        return Scrub::TurnedOff;
    }
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        use std::os::unix::process::CommandExt;
        let tunables = std::env::var("GLIBC_TUNABLES").unwrap_or_default();
        let webkit_on_glibc = std::env::var("Malloc").is_ok_and(|v| v == "1");
        if tunables.contains(TUNABLES) && webkit_on_glibc {
            return Scrub::On;
        }
        let tunables = if tunables.is_empty() {
            TUNABLES.to_string()
        } else {
            format!("{tunables}:{TUNABLES}")
        };
        std::env::set_var("GLIBC_TUNABLES", tunables);
        std::env::set_var("Malloc", "1");
        let mut args = std::env::args_os();
        // The program's own path, not /proc/self/exe, which would rename the process "exe".
        let program = std::env::current_exe().unwrap_or_else(|_| "/proc/self/exe".into());
        let mut again = std::process::Command::new(program);
        if let Some(name) = args.next() {
            again.arg0(name);
        }
        // Returns only if the program could not be started again.
        let error = again.args(args).exec();
        // Still scrub glibc's bins, if not its cache or WebKit's allocator.
        // SAFETY: mallopt only sets an allocator parameter; no other thread exists yet.
        unsafe { libc::mallopt(libc::M_PERTURB, 0xa5) };
        Scrub::NotRestarted(error.kind())
    }
    #[cfg(not(all(target_os = "linux", target_env = "gnu")))]
    {
        // Android's and Apple's allocators have no such switch; there the lock reloads the
        // page instead (crate::screen), and what the webview's process freed stays unscrubbed.
        Scrub::NotAvailable
    }
}

/// What [`scrub_freed_c_heap`] did, to be logged once logging is up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scrub {
    On,
    TurnedOff,
    /// The app could not start itself again with the tunables.
    NotRestarted(std::io::ErrorKind),
    NotAvailable,
}
