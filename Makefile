# keydesk — build, test, demo and benchmark.
#
#   make demo    the TUI against virtual keys and a demo database
#   make test    fmt, clippy and every test, including end to end through pcscd
#   make bench   the benchmarks (sizes are printed with the figures)
#
# Every target installs the Debian packages it needs first (make deps).

SHELL := /bin/bash
CARGO ?= cargo
export CARGO_TERM_COLOR ?= never

# Debian 12 packages the build and the tests use.
DEB_PACKAGES := pkg-config libssl-dev build-essential libpcsclite-dev pcscd vsmartcard-vpcd \
	libudev-dev libhidapi-dev yubikey-manager yubico-piv-tool opensc \
	fido2-tools python3-venv python3-pip tmux sqlite3 openssl util-linux \
	iproute2 procps ca-certificates postgresql-15

.PHONY: all deps build release demo test test-unit lint fmt bench clean

all: build

deps:
	@missing=$$(for p in $(DEB_PACKAGES); do \
	    dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' || echo $$p; \
	  done); \
	if [ -z "$$missing" ]; then echo "deps: all Debian packages present"; exit 0; fi; \
	echo "deps: installing:" $$missing; \
	if [ "$$(id -u)" -ne 0 ]; then \
	  echo "deps: not root. Run this, then make again:"; \
	  echo "  sudo apt-get update && sudo apt-get install -y" $$missing; \
	  exit 1; \
	fi; \
	export DEBIAN_FRONTEND=noninteractive; \
	apt-get update -qq && apt-get install -y -qq --no-install-recommends $$missing

# The training feature (keydesk's `sim`: virtual keys, `keydesk demo`) is
# off in the production build and on for the tests, the demo and the benches.
TRAINING := --features keydesk/sim

build: deps
	$(CARGO) build --workspace --all-targets $(TRAINING)

# The production binaries: no simulator, no test CA.
release: deps
	$(CARGO) build --release --bins

fmt:
	$(CARGO) fmt --all

lint: deps
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings
	$(CARGO) clippy --workspace --all-targets $(TRAINING) -- -D warnings

# The end-to-end tests start their own isolated pcscd (see tests/support) and
# drive the keydesk and keydesk-sim binaries, so build those first.
test: lint
	$(CARGO) build --workspace --bins
	$(CARGO) build --workspace --bins $(TRAINING)
	set -o pipefail; $(CARGO) test --workspace --no-fail-fast $(TRAINING) 2>&1 | tee target/test-output.log
	@# One closing line with the totals over every test binary (cargo's own last
	@# line is that of the last doc-test binary, often "0 passed").
	@awk '/^test result:/ { p += $$4; f += $$6 } END { printf "tests: %d passed, %d failed\n", p, f }' target/test-output.log

# The training build, kept apart from the production binary of `make release`.
demo: deps
	$(CARGO) build --release -p keydesk --bin keydesk --features sim
	cp target/release/keydesk target/release/keydesk-training
	./target/release/keydesk-training demo

bench: deps
	$(CARGO) bench --workspace $(TRAINING)

clean:
	$(CARGO) clean
