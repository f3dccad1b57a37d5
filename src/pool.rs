//! One pool of threads, sized to the cores, for every parallel step of a run: sources build in
//! parallel, and so do the languages of a source while cores are free. A `map` runs on the
//! calling thread and on as many helpers as there are free cores, so nested maps never run more
//! threads than the machine has cores.

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Cores not running a worker: the calling thread of the outermost `map` counts as one.
static FREE: AtomicUsize = AtomicUsize::new(usize::MAX);

fn free() -> &'static AtomicUsize {
    // First use: every core but the caller's is free.
    let _ = FREE.compare_exchange(
        usize::MAX,
        std::thread::available_parallelism().map_or(1, |n| n.get()) - 1,
        Ordering::AcqRel,
        Ordering::Acquire,
    );
    &FREE
}

/// Takes up to `wanted` free cores; returns how many it took.
fn take(wanted: usize) -> usize {
    let free = free();
    let mut current = free.load(Ordering::Acquire);
    loop {
        let taken = current.min(wanted);
        match free.compare_exchange(
            current,
            current - taken,
            Ordering::AcqRel,
            Ordering::Acquire,
        ) {
            Ok(_) => return taken,
            Err(now) => current = now,
        }
    }
}

/// `f` over `items`, results in order, on this thread and on helpers for the cores that are
/// free; `done` is told how many items are finished after each.
pub fn map<T: Sync, R: Send>(
    items: &[T],
    f: impl Fn(usize, &T) -> R + Sync,
    done: impl Fn(usize) + Sync,
) -> Vec<R> {
    let (next, finished) = (AtomicUsize::new(0), AtomicUsize::new(0));
    let results: Mutex<Vec<Option<R>>> = Mutex::new((0..items.len()).map(|_| None).collect());
    let work = || {
        loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            let Some(item) = items.get(i) else { break };
            let result = f(i, item);
            results.lock().expect("no worker panics holding it")[i] = Some(result);
            done(finished.fetch_add(1, Ordering::Relaxed) + 1);
        }
    };
    let helpers = take(items.len().saturating_sub(1));
    std::thread::scope(|scope| {
        for _ in 0..helpers {
            scope.spawn(work);
        }
        work();
    });
    free().fetch_add(helpers, Ordering::AcqRel);
    results
        .into_inner()
        .expect("workers joined")
        .into_iter()
        .map(|r| r.expect("every item done"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nested_maps_never_run_more_threads_than_cores() {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        let running = AtomicUsize::new(0);
        let most = AtomicUsize::new(0);
        let outer: Vec<usize> = (0..12).collect();
        let sums = map(
            &outer,
            |_, n| {
                let inner: Vec<usize> = (0..3).collect();
                map(
                    &inner,
                    |_, m| {
                        let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                        most.fetch_max(now, Ordering::SeqCst);
                        std::thread::sleep(std::time::Duration::from_millis(5));
                        running.fetch_sub(1, Ordering::SeqCst);
                        n * 10 + m
                    },
                    |_| {},
                )
                .into_iter()
                .sum::<usize>()
            },
            |_| {},
        );
        assert_eq!(sums, outer.iter().map(|n| n * 30 + 3).collect::<Vec<_>>());
        assert!(most.load(Ordering::SeqCst) <= cores);
        assert_eq!(
            free().load(Ordering::SeqCst),
            cores - 1,
            "every core given back"
        );
    }
}
