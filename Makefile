# ingero: build, test, lint and install every module of the go.work workspace.
#
# `make help` lists the targets (from their "## " comments) and the options
# (from the "## " line above each "VAR ?=" below). The module list comes
# from go.work, so a new module needs no edit here.

SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
MAKEFLAGS += --no-print-directory

## Go command to use.
GO ?= go
## Output directory for binaries.
BIN ?= bin
## Version stamped into the binaries: the latest v* tag, else v0.1.0-dev.
VERSION ?= $(shell git describe --tags --match 'v*' --dirty 2>/dev/null || echo v0.1.0-dev)
## Commit stamped into the binaries.
COMMIT ?= $(shell git rev-parse --short HEAD 2>/dev/null || echo unknown)
## Build date stamped into the binaries (UTC, RFC 3339).
DATE ?= $(shell date -u +%Y-%m-%dT%H:%M:%SZ)
## Extra flags for go build.
GOBUILDFLAGS ?= -trimpath
## Extra flags for go test, e.g. TESTFLAGS="-run Dispatch -v -count=1".
TESTFLAGS ?=
## The race detector flag for make test (RACE= turns it off).
RACE ?= -race
## Benchmarks to run (a -bench regexp).
BENCH ?= .
## File that also receives the benchmark output (default: print only).
BENCH_OUT ?=
## Arguments for `make demo`, e.g. DEMO_ARGS=incident.
DEMO_ARGS ?=
## Install root: $(PREFIX)/bin and $(PREFIX)/lib/ingero.
PREFIX ?= /usr/local
## Staging root prepended to every installed path (for packaging).
DESTDIR ?=
## Command that runs apt-get as root (empty when already root).
SUDO ?= $(if $(filter 0,$(shell id -u)),,sudo)

# The read-only analysis commands never need cgo, so they build static and
# an analyst can copy them anywhere; so does annotate, which only writes to
# trace's socket. trace, check, demo and the multiplexer use NVML through cgo.
READONLY := explain query mcp dashboard merge export annotate
COMMANDS := trace check demo $(READONLY)
BINARIES := $(BIN)/ingero $(addprefix $(BIN)/ingero-,$(COMMANDS))

# Evaluate the stamp once, so that the build and its check agree.
VERSION := $(VERSION)
COMMIT := $(COMMIT)
DATE := $(DATE)

LDFLAGS := -X ingero.dev/common/cli.version=$(VERSION) \
	-X ingero.dev/common/cli.commit=$(COMMIT) \
	-X ingero.dev/common/cli.date=$(DATE)

# Workspace module directories, listed once and only when a recipe needs
# them; an empty list would make go test and gofmt look at the wrong thing.
MODULE_DIRS = $(eval MODULE_DIRS := $$(or $$(shell $(GO) list -m -f '{{.Dir}}'),$$(error '$(GO) list -m' listed no workspace modules)))$(MODULE_DIRS)
MODULE_PKGS = $(addsuffix /...,$(MODULE_DIRS))

# INGERO_E2E=1 turns the skips of root-only and eBPF tests into failures.
export INGERO_E2E

# go-nvml's header trips deprecation warnings that say nothing about our code.
export CGO_CFLAGS ?= -O2 -g -Wno-deprecated-declarations

.PHONY: help build test test-deps lint bench generate deps install demo tidy clean FORCE

help: ## list targets and options
	@echo "Targets:"
	@awk -F ':.*## ' '/^[a-z][a-zA-Z_-]*:.*## / { printf "  %-10s %s\n", $$1, $$2 }' $(MAKEFILE_LIST)
	@echo
	@echo "Options (make TARGET VAR=value), with their values now:"
	@$(foreach v,$(shell awk '/^## / { doc = 1; next } doc && /^[A-Z_]+ \?=/ { print $$1 } { doc = 0 }' $(MAKEFILE_LIST)),\
		export HELPVAL_$(v)='$($(v))';) \
	awk '/^## / { doc = substr($$0, 4); next } \
		doc != "" && /^[A-Z_]+ \?=/ { v = ENVIRON["HELPVAL_" $$1]; printf "  %-13s %s%s\n", $$1, doc, v == "" ? "" : " [" v "]" } \
		{ doc = "" }' $(MAKEFILE_LIST)
	@echo
	@echo "Environment: INGERO_E2E=1 makes root-only and eBPF tests fail instead of skip."

build: $(BINARIES) ## build bin/ingero (the multiplexer) and every standalone bin/ingero-<command>
	@want='ingero $(VERSION) (commit: $(COMMIT), built: $(DATE))'; \
	got=$$($(BIN)/ingero version); \
	[ "$$got" = "$$want" ] || { echo "version stamp missing: '$(BIN)/ingero version' printed '$$got', want '$$want'" >&2; exit 1; }

# go build decides what is stale, so the binaries are always handed to it.
$(BIN)/ingero: FORCE
	CGO_ENABLED=1 $(GO) build $(GOBUILDFLAGS) -ldflags "$(LDFLAGS)" -o $@ ./ingero

$(BIN)/ingero-%: FORCE
	CGO_ENABLED=$(if $(filter $*,$(READONLY)),0,1) $(GO) build $(GOBUILDFLAGS) -ldflags "$(LDFLAGS)" -o $@ ./ingero-$*/cmd/ingero-$*

# The log of the last `make test`, for the summary of failed packages.
TEST_LOG := $(or $(TMPDIR),/tmp)/ingero-make-test.$(shell id -u).log

# The packages that start goroutines (.ci/race-packages) run under $(RACE),
# the rest without: the race detector makes the big analysis tests several
# times slower and finds nothing where nothing runs concurrently.
test: ## run every module's tests (RACE on the packages with goroutines); passes INGERO_E2E through; ends with the failed packages
	@race=$$(echo $$($(if $(RACE),.ci/race-packages '$(GO)' $(MODULE_PKGS)))); rest=; \
	for p in $$($(GO) list $(MODULE_PKGS)); do case " $$race " in *" $$p "*) ;; *) rest="$$rest $$p";; esac; done; \
	status=0; { \
		st=0; \
		echo "$(GO) test $(TESTFLAGS) <$$(wc -w <<<"$$rest") packages>"; \
		$(GO) test $(TESTFLAGS) $$rest || st=$$?; \
		if [ -n "$$race" ]; then echo "$(GO) test $(RACE) $(TESTFLAGS)" $$race; $(GO) test $(RACE) $(TESTFLAGS) $$race || st=$$?; fi; \
		exit $$st; \
	} 2>&1 | tee '$(TEST_LOG)' || status=$$?; \
	if [ $$status -ne 0 ]; then \
		failed=$$(awk '$$1 == "FAIL" && NF >= 2 { print $$2 }' '$(TEST_LOG)' | sort -u | paste -sd ' ' -); \
		echo "make test: FAILED (exit $$status): $${failed:-no package reported FAIL, see the output above}" >&2; \
		exit $$status; \
	fi

lint: ## go vet every module and require gofmt-clean sources
	$(GO) vet $(MODULE_PKGS)
	@unformatted=$$(gofmt -l $(patsubst $(CURDIR)/%,%,$(MODULE_DIRS)) $(wildcard bpf)); \
	if [ -n "$$unformatted" ]; then echo "gofmt -l lists files that need gofmt -w:" >&2; echo "$$unformatted" >&2; exit 1; fi

bench: ## run the benchmarks of the common packages (BENCH_OUT=FILE also saves them)
	$(GO) test -run '^$$' -bench '$(BENCH)' -benchmem ./common/... | tee $(or $(BENCH_OUT),/dev/null)

# bpf/ may not exist yet; once it does, its generate step must succeed.
# Until go.work lists it, it is generated as a module on its own.
generate: deps ## regenerate the eBPF loaders in bpf/ (bpf2go; needs clang-14)
	@if [ ! -d bpf ]; then echo "no bpf/ directory: nothing to generate"; exit 0; fi; \
	work=; \
	case " $(MODULE_DIRS) " in *" $(CURDIR)/bpf "*) ;; *) work=GOWORK=off; echo "bpf/ is not in go.work: generating with GOWORK=off";; esac; \
	echo "cd bpf && $$work $(GO) generate ./..."; \
	cd bpf && env $$work $(GO) generate ./...

# chromium is for the dashboard's browser test (Debian's package: no
# browser download at test time).
deps: ## install clang-14, llvm-14, libbpf-dev and chromium with apt-get when missing
	@missing=""; \
	for p in clang-14 llvm-14 libbpf-dev chromium; do \
		dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'install ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get update; \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y$$missing; \
	fi

# The real consumers some tests hand their output to: protoc (with
# Perfetto's vendored trace schema) and DevTools' trace engine from npm,
# pinned and kept in .cache/node so a second run installs nothing.
TRACE_ENGINE := @paulirish/trace_engine@0.0.65

test-deps: ## install the real consumers the tests drive: protobuf-compiler, DevTools' trace engine, Node 22 with the MCP Inspector and conformance suite (npm, cached), the test collector (test/otelcol)
	@if ! command -v protoc >/dev/null; then \
		echo "installing: protobuf-compiler"; \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y protobuf-compiler || { \
			$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get update && \
			$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y protobuf-compiler; }; \
	fi
	@if ! command -v npm >/dev/null; then \
		echo "installing: nodejs npm"; \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y nodejs npm; \
	fi
	@want='$(TRACE_ENGINE)'; want=$${want##*@}; \
	have=$$(node -p "require('./.cache/node/node_modules/@paulirish/trace_engine/package.json').version" 2>/dev/null || true); \
	if [ "$$have" != "$$want" ]; then \
		echo "installing: $(TRACE_ENGINE) into .cache/node"; \
		mkdir -p .cache/node && npm install --prefix .cache/node --no-audit --no-fund --silent '$(TRACE_ENGINE)'; \
	fi
	@test/mcp-clients.sh
	@echo "building: test/otelcol (the collector trace's OTLP tests start; warms the build cache)"
	@cd test/otelcol && GOWORK=off $(GO) build -o /dev/null .

# Install layout: $(PREFIX)/bin/ingero is the multiplexer and every
# $(PREFIX)/bin/ingero-<command> is a symlink to it; the standalone
# binaries go to $(PREFIX)/lib/ingero/, so a locked-down node can take
# just lib/ingero/ingero-trace. It installs what `make build` left in
# $(BIN)/ rather than building, so `sudo make install` needs no Go.
install: ## install into $(DESTDIR)$(PREFIX) (run make build first)
	@for f in $(BINARIES); do \
		[ -x "$$f" ] || { echo "$$f is missing: run 'make build' first" >&2; exit 1; }; \
	done
	install -d '$(DESTDIR)$(PREFIX)/bin' '$(DESTDIR)$(PREFIX)/lib/ingero'
	install -m 0755 $(BIN)/ingero '$(DESTDIR)$(PREFIX)/bin/ingero'
	@set -x; for c in $(COMMANDS); do \
		ln -sfn ingero '$(DESTDIR)$(PREFIX)/bin/ingero-'$$c; \
		install -m 0755 $(BIN)/ingero-$$c '$(DESTDIR)$(PREFIX)/lib/ingero/ingero-'$$c; \
	done

demo: build ## build everything and run `ingero demo $(DEMO_ARGS)`
	$(BIN)/ingero demo $(DEMO_ARGS)

tidy: ## go mod tidy in every module, then go work sync
	@for d in $(MODULE_DIRS); do echo "tidy $$d"; (cd "$$d" && $(GO) mod tidy); done
	$(GO) work sync

clean: ## remove built binaries
	rm -rf $(BIN) dist

FORCE:
