# Recipes for people who have `just`; each is one plain cargo command (docs/architecture.md).

# Build every report source under data/ into out/.
build:
    cargo run --release -- build

# Check every report source under data/ without writing anything.
check:
    cargo run -- check

# Run the tests, installing the programs they need (what CI runs).
test:
    scripts/test

# Measure check, build and diff times, and the wait from a save to the preview and the PDF.
bench:
    cargo bench --bench build
    cargo bench --bench diff
    cargo bench --bench watch

# Fuzz load → check → template data for SECONDS (needs nightly and `cargo install cargo-fuzz`).
fuzz seconds="1800":
    mkdir -p fuzz/corpus/check
    cp tests/good/*.yaml tests/bad/*.yaml tests/hostile/*.yaml data/*/*.yaml fuzz/corpus/check/
    for case in tests/*/*.diff; do patch -s -o "fuzz/corpus/check/$(echo "${case%.diff}" | tr / -).yaml" tests/good/minimal.yaml "$case"; done
    cargo +nightly fuzz run check fuzz/corpus/check -- -max_total_time={{seconds}} -max_len=65536 -rss_limit_mb=4096
