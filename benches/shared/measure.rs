//! The benchmarks' one measure: the median of repeated runs after a warm-up, printed with its
//! spread.

use std::time::{Duration, Instant};

/// Runs `f` once to warm up (fonts, caches, page cache), then `runs` times; prints and returns
/// the median.
pub fn measure(name: &str, runs: usize, mut f: impl FnMut()) -> Duration {
    f();
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed()
        })
        .collect();
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "{name:<62} median {:>9.2} ms   min {:>9.2} ms   max {:>9.2} ms   ({runs} runs)",
        ms(times[runs / 2]),
        ms(times[0]),
        ms(times[runs - 1])
    );
    times[runs / 2]
}
