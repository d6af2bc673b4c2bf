# tokentray — `make run` builds and starts the app; `make test` installs what
# the tests need, starts a private desktop session (Xvfb, D-Bus,
# gnome-keyring), runs every test against the real authorization server and
# tears it all down. See README.md.

GO      ?= go
BIN     := bin/tokentray
PKGS    := ./...
# What `tokentray --version` reports beside the release (internal/version).
DESCRIBE ?= $(shell git describe --tags --always --dirty 2>/dev/null)
LDFLAGS := -X github.com/tokentray/tokentray/internal/version.Describe=$(DESCRIBE)

.PHONY: all build run demo test bench lint deps tidy clean

all: build

# Two executables, side by side in bin/: the command line (no cgo, no GUI
# toolkit: it starts in a few milliseconds) and the tray app it starts when
# run without arguments. See docs/architecture.md.
build:
	CGO_ENABLED=0 $(GO) build -ldflags "$(LDFLAGS)" -o bin/ .
	$(GO) build -ldflags "$(LDFLAGS)" -o bin/ ./cmd/tokentray-gui

run: build
	./$(BIN)

demo: build
	./$(BIN) demo

deps:
	bash scripts/deps.sh

test: deps
	bash scripts/test.sh

bench: deps
	bash scripts/bench.sh

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet $(PKGS)
	@sc=$$(command -v staticcheck || echo "$$($(GO) env GOPATH)/bin/staticcheck"); \
	if [ -x "$$sc" ]; then "$$sc" $(PKGS); else echo "staticcheck not installed: run make deps"; exit 1; fi
	$(GO) mod tidy -diff

tidy:
	$(GO) mod tidy

clean:
	rm -rf bin dist
