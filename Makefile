# wpservice: build, run and test. `make run` and `make test` are the two commands a
# newcomer needs; everything else is for developers.
GO      ?= go
BIN     := bin/wpservice
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -X main.version=$(VERSION)

.PHONY: build run test webtest peerd deps unit bench fuzz vet cross clibs dist disttest clean

build:
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN) ./cmd/wpservice

## run: the engine in the foreground on the embedded default config.
run: build
	./$(BIN) run

## test: install missing test dependencies (when root), then every test, real peers and
## the browser included.
test: deps vet cross build peerd
	$(GO) test -race -count=1 -timeout 25m ./...
	WPSERVICE_BIN=$(abspath $(BIN)) PEERD_BIN=$(abspath bin/peerd) node --experimental-websocket --test --test-concurrency=1 web/tests/

deps:
	./scripts/deps.sh

vet:
	$(GO) vet ./...

## cross: the Windows build (cgo through mingw-w64, for malgo's WASAPI backend) and
## the linux/arm64 build (cgo through gcc-aarch64-linux-gnu) vet and build, and
## macOS's code vets and builds for amd64 and arm64 without cgo (no Apple SDK here,
## so no CoreAudio: a macOS engine with sound is built on a Mac), so that no change
## breaks any of them unnoticed.
##
## Each cgo cross target has its own C compiler and pkg-config directory: the C
## libraries the engine links (libopus and speexdsp) are built statically for each
## target from source by scripts/clibs.sh (once; cached in build/clibs), and found
## through that target's PKG_CONFIG_LIBDIR. installer/dist.sh reads the LINUX_ARM64_
## ones (exported below; the same defaults when it runs on its own).
##
## The cgo cross targets build with the release's compile flags (installer/dist.sh:
## -trimpath, and the library directory in CGO_LDFLAGS), so that the release build
## that internal/dist's tests run next finds every package in the build cache and
## only links; -ldflags touches only the link.
WINDOWS_CLIBS := build/clibs/x86_64-w64-mingw32
WINDOWS_ENV := GOOS=windows GOARCH=amd64 CGO_ENABLED=1 CC=x86_64-w64-mingw32-gcc CGO_CFLAGS="-O2 -w" \
	PKG_CONFIG_LIBDIR=$(abspath $(WINDOWS_CLIBS))/lib/pkgconfig CGO_LDFLAGS="-O2 -g -L$(abspath $(WINDOWS_CLIBS))/lib"
LINUX_ARM64_CLIBS := build/clibs/aarch64-linux-gnu
LINUX_ARM64_CC ?= aarch64-linux-gnu-gcc
LINUX_ARM64_PKG_CONFIG_LIBDIR ?= $(abspath $(LINUX_ARM64_CLIBS))/lib/pkgconfig
export LINUX_ARM64_CC LINUX_ARM64_PKG_CONFIG_LIBDIR
LINUX_ARM64_ENV := GOOS=linux GOARCH=arm64 CGO_ENABLED=1 CC=$(LINUX_ARM64_CC) PKG_CONFIG_LIBDIR=$(LINUX_ARM64_PKG_CONFIG_LIBDIR) \
	CGO_LDFLAGS="-O2 -g -L$(abspath $(LINUX_ARM64_PKG_CONFIG_LIBDIR)/../..)/lib"
cross: clibs
	$(WINDOWS_ENV) $(GO) vet -trimpath ./...
	$(WINDOWS_ENV) $(GO) build -trimpath -ldflags "$(LDFLAGS)" -o $(BIN).exe ./cmd/wpservice
	$(LINUX_ARM64_ENV) $(GO) vet -trimpath ./...
	$(LINUX_ARM64_ENV) $(GO) build -trimpath -o /dev/null ./cmd/wpservice
	for arch in amd64 arm64; do \
		GOOS=darwin GOARCH=$$arch CGO_ENABLED=0 $(GO) vet ./... && \
		GOOS=darwin GOARCH=$$arch CGO_ENABLED=0 $(GO) build -o /dev/null ./cmd/wpservice || exit 1; \
	done

## clibs: the static C libraries of the cross builds (Windows, linux/arm64).
clibs:
	./scripts/clibs.sh x86_64-w64-mingw32 $(WINDOWS_CLIBS)
	./scripts/clibs.sh aarch64-linux-gnu $(LINUX_ARM64_CLIBS)

## dist: every release artefact of VERSION into dist/: the Windows engine and its
## per-user installer, the Linux tarballs and .debs for amd64 and arm64, SHA256SUMS
## (installer/dist.sh).
dist:
	rm -rf dist
	./installer/dist.sh $(VERSION) dist

## disttest: only the tests of the artefacts (the .deb with dpkg, the Windows engine
## and installer under wine); make test runs them with the other packages.
disttest:
	$(GO) test -count=1 -timeout 20m -v ./internal/dist

## webtest: only the browser tests (node:test + Playwright on Chromium).
webtest: build peerd
	WPSERVICE_BIN=$(abspath $(BIN)) PEERD_BIN=$(abspath bin/peerd) node --experimental-websocket --test --test-concurrency=1 web/tests/

## peerd: the test tool that starts kamailio, baresip and SIPp for the browser tests.
peerd:
	$(GO) build -o bin/peerd ./internal/testpeer/peerd

## unit: the fast tests only (no real peers).
unit:
	$(GO) test -short -count=1 ./...

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./internal/...

## fuzz: each fuzz target for FUZZTIME (default 20s).
FUZZTIME ?= 20s
fuzz:
	./scripts/fuzz.sh $(FUZZTIME)

clean:
	rm -rf bin dist
