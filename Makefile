# Segmentflow Connect for WP-CLI — one entry point for set-up, demo, tests,
# benchmarks and fuzzing. `make demo` and `make test` work on a fresh machine:
# both install what they need first (`make setup`).

SHELL := /bin/bash
CARGO ?= cargo
# Builds live outside the clone so a later clone on the same machine (CI)
# reuses them; override with CARGO_TARGET_DIR=... if you prefer.
export CARGO_TARGET_DIR ?= /var/tmp/segmentflow-target
export CARGO_TERM_COLOR ?= never
BIN := $(CARGO_TARGET_DIR)/release/segmentflow-wpcli

.PHONY: setup build test test-rust test-php lint demo bench fuzz fmt clean

## setup: install the system packages the tests and benchmarks use (Debian).
setup:
	@bash scripts/setup.sh

## build: the release binary, built once and reused by tests, demo and benches.
build:
	$(CARGO) build --release --locked -p segmentflow-wpcli

## test: everything CI runs.
test: setup build test-rust test-php lint

test-rust:
	$(CARGO) test --release --locked --workspace

## test-php: the WP-CLI package's PHPUnit suite, against the real binary.
test-php:
	cd wp-cli-package && SEGMENTFLOW_TEST_BIN=$(BIN) phpunit -c phpunit.xml.dist

lint:
	$(CARGO) fmt --all --check
	$(CARGO) clippy --release --locked --workspace --all-targets -- -D warnings

## demo: sync the bundled demo store into the local sandbox and print the report.
demo: setup build
	@bash scripts/demo.sh "$(BIN)"

## bench: benchmarks; results printed and written to bench/results/.
bench: setup build
	@bash bench/run.sh

## fuzz: run the PHP-unserialize fuzz targets (FUZZ_SECONDS each, default 60).
fuzz:
	@bash scripts/fuzz.sh

fmt:
	$(CARGO) fmt --all

## fixtures: a cached synthetic store in MariaDB for the benches:
## `make fixtures ORDERS=1000000 STORAGE=hpos|posts` → database sfwp_bench_<storage>_<orders>.
.PHONY: fixtures
ORDERS ?= 100000
STORAGE ?= hpos
fixtures: setup
	@bash bench/fixtures.sh $(STORAGE) $(ORDERS)
