//! The process's memory: glibc's allocator, set for a server that hashes passwords.
//!
//! A password hash takes a 19 MiB block for ~50 ms. By default glibc serves a block that size
//! from the arena of whichever thread asked, and after the first one keeps it there once
//! freed (its mmap threshold rises to the largest block freed), so every blocking thread that
//! ever hashed held its own 19 MiB: hundreds of MB after a few dozen logins. Here, any block of
//! 1 MiB or more is mapped for itself and given back when freed, and threads share two arenas
//! instead of up to eight per core.

/// Blocks this large or larger are mapped alone and returned to the system when freed.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
const MMAP_THRESHOLD: libc::c_int = 1 << 20;
/// Arenas the threads share.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
const ARENAS: libc::c_int = 2;

/// Call first thing in `main`, before any other thread starts.
pub fn tune() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets the allocator's parameters, and takes its own lock to do so.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, MMAP_THRESHOLD);
        libc::mallopt(libc::M_ARENA_MAX, ARENAS);
    }
}
