# Recipes for people who have `just`; each is one plain cargo command, see the README.

# Build every report source under data/ into out/.
build:
    cargo run --release -- build

# Check every report source under data/ without writing anything.
check:
    cargo run -- check

# Run the tests (what CI runs).
test:
    cargo test

# Measure check and build times on the example.
bench:
    cargo bench --bench build
