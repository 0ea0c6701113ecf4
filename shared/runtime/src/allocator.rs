//! The memory allocator of every PRISM process (and of the tests and examples that link
//! this crate, so they measure what runs).
//!
//! mimalloc instead of the C library's allocator: profiling triage while it worked through a
//! backlog showed about 13 % of its time in glibc's `malloc`, `free` and their consolidation
//! and trimming, with pages returned to the kernel and faulted back in; mimalloc keeps
//! per-thread free lists and reuses pages.

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
