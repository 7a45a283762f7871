//! The app's allocator: the system allocator, but every block is zeroed when it is freed (and
//! when `realloc` moves it). A record's text, a passcode or a token that passed through the
//! app (IPC buffers, JSON, decrypted rows) is then gone from the process's memory once freed:
//! after the lock, a memory dump of the app holds none of it (checked by the e2e journey).
//! SQLite's own memory is wiped by SQLCipher (`cipher_memory_security`).

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
