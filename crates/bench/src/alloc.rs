//! A global allocator wrapper that tracks live and peak heap bytes, so memory targets are
//! measured rather than guessed.
//!
//! Counting costs atomics on every allocation, which would tax whichever side of a timing
//! comparison allocates more: it is off unless a memory scenario turns it on with [`enable`],
//! first thing in its own process.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;

use sage_sandbox::{Sandbox, SandboxBuilder};

/// Counts bytes handed out by the system allocator.
pub struct Counting;

static ENABLED: AtomicBool = AtomicBool::new(false);
static LIVE: AtomicUsize = AtomicUsize::new(0);
/// Every byte ever handed out while counting, freed or not: what a step costs the allocator, as
/// opposed to what it keeps.
static ALLOCATED: AtomicUsize = AtomicUsize::new(0);

/// Starts counting, for the rest of the process. Call it before the scenario allocates.
pub fn enable() {
    ENABLED.store(true, Ordering::Relaxed);
}

thread_local! {
    /// Whether this thread's allocations count; an in-process server's threads opt out.
    static COUNTED: Cell<bool> = const { Cell::new(true) };
}

/// Stops counting this thread's allocations (for threads of a server measured against, so only
/// the client's memory is measured). Memory is never handed between such threads and counted ones.
pub fn exclude_this_thread() {
    COUNTED.with(|counted| counted.set(false));
}

/// Starts the sandbox `builder` makes on a runtime of its own whose threads are not counted, and
/// runs `setup` on it there (seeding stays uncounted too); it lives as long as the process.
pub fn uncounted_sandbox(builder: SandboxBuilder, setup: impl FnOnce(&Sandbox) + Send + 'static) -> Arc<Sandbox> {
    let (sender, receiver) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        exclude_this_thread();
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .on_thread_start(exclude_this_thread)
            .enable_all()
            .build()
            .expect("sandbox runtime");
        runtime.block_on(async move {
            let sandbox = Arc::new(builder.start().await.expect("sandbox"));
            setup(&sandbox);
            sender.send(sandbox).expect("hand over");
            std::future::pending::<()>().await
        });
    });
    receiver.recv().expect("the sandbox started")
}

fn counted() -> bool {
    ENABLED.load(Ordering::Relaxed) && COUNTED.try_with(Cell::get).unwrap_or(false)
}
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded unchanged to the system allocator.
        let pointer = unsafe { System.alloc(layout) };
        if !pointer.is_null() && counted() {
            ALLOCATED.fetch_add(layout.size(), Ordering::Relaxed);
            let live = LIVE.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(live, Ordering::Relaxed);
        }
        pointer
    }

    unsafe fn dealloc(&self, pointer: *mut u8, layout: Layout) {
        // SAFETY: `pointer` came from `alloc` above with the same layout.
        unsafe { System.dealloc(pointer, layout) };
        if counted() {
            let _ = LIVE
                .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |live| Some(live.saturating_sub(layout.size())));
        }
    }
}

/// Bytes allocated and not yet freed.
pub fn live() -> usize {
    LIVE.load(Ordering::Relaxed)
}

/// Bytes allocated so far, including those since freed.
pub fn allocated() -> usize {
    ALLOCATED.load(Ordering::Relaxed)
}

/// Starts a new peak measurement from the current live size.
pub fn reset_peak() {
    PEAK.store(live(), Ordering::Relaxed);
}

/// Highest live size since the last [`reset_peak`].
pub fn peak() -> usize {
    PEAK.load(Ordering::Relaxed)
}
