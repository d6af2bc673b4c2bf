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

.PHONY: all build run demo test bench lint deps tidy clean install uninstall dist windows

# make install: PREFIX and DESTDIR as usual (DESTDIR=/tmp/stage PREFIX=/usr).
PREFIX  ?= /usr/local
DESTDIR ?=
APPID   := io.github.tokentray.tokentray
ICONS   := 16 24 32 48 64 128 256 512
root    := $(DESTDIR)$(PREFIX)

all: build

# Two executables, side by side in bin/: the command line (no cgo, no GUI
# toolkit: it starts in a few milliseconds) and the tray app it starts when
# run without arguments. See docs/architecture.md.
# Man pages and completions are made here too, so that `sudo make install`
# only copies files (root's PATH may not even have Go).
build:
	CGO_ENABLED=0 $(GO) build -ldflags "$(LDFLAGS)" -o bin/ .
	$(GO) build -ldflags "$(LDFLAGS)" -o bin/ ./cmd/tokentray-gui
	rm -rf bin/man && $(GO) run ./internal/gendocs bin/man
	mkdir -p bin/completions
	bin/tokentray completion bash > bin/completions/tokentray.bash
	bin/tokentray completion zsh > bin/completions/_tokentray
	bin/tokentray completion fish > bin/completions/tokentray.fish

# Both executables for windows/amd64 in bin/windows/, each with its icon
# and version resource: tokentray.exe (console, no cgo) and
# tokentray-gui.exe (windowsgui subsystem, cgo with mingw-w64's gcc). See
# scripts/windows.sh; make test runs it too.
windows:
	DESCRIBE='$(DESCRIBE)' bash scripts/windows.sh bin/windows

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

# The two executables, the desktop entry and AppStream metainfo, the icon in
# the hicolor theme, the man pages and shell completions, each where the
# freedesktop and shell conventions look. Run `make build` first, as
# yourself: install only copies.
MANPAGES = $(notdir $(wildcard bin/man/*.1))

install:
	@test -x bin/tokentray -a -x bin/tokentray-gui -a -f bin/man/tokentray.1 || { echo "run make build first (as yourself), then make install"; exit 1; }
	install -Dm755 bin/tokentray $(root)/bin/tokentray
	install -Dm755 bin/tokentray-gui $(root)/bin/tokentray-gui
	install -Dm644 packaging/linux/$(APPID).desktop $(root)/share/applications/$(APPID).desktop
	install -Dm644 packaging/linux/$(APPID).metainfo.xml $(root)/share/metainfo/$(APPID).metainfo.xml
	for n in $(ICONS); do install -Dm644 assets/hicolor/$$n.png $(root)/share/icons/hicolor/$${n}x$${n}/apps/$(APPID).png || exit 1; done
	install -d $(root)/share/man/man1
	install -m644 bin/man/*.1 $(root)/share/man/man1/
	install -Dm644 bin/completions/tokentray.bash $(root)/share/bash-completion/completions/tokentray
	install -Dm644 bin/completions/_tokentray $(root)/share/zsh/site-functions/_tokentray
	install -Dm644 bin/completions/tokentray.fish $(root)/share/fish/vendor_completions.d/tokentray.fish

# Removes what install put there: the man pages by the names this build made.
uninstall:
	rm -f $(root)/bin/tokentray $(root)/bin/tokentray-gui
	rm -f $(root)/share/applications/$(APPID).desktop $(root)/share/metainfo/$(APPID).metainfo.xml
	for n in $(ICONS); do rm -f $(root)/share/icons/hicolor/$${n}x$${n}/apps/$(APPID).png; done
	rm -f $(root)/share/man/man1/tokentray.1 $(addprefix $(root)/share/man/man1/,$(MANPAGES))
	rm -f $(root)/share/bash-completion/completions/tokentray $(root)/share/zsh/site-functions/_tokentray $(root)/share/fish/vendor_completions.d/tokentray.fish

# A release archive for linux/amd64, laid out as `fyne package` lays out
# its Linux archives (usr/local/...): unpack it at / (or anywhere, then copy).
RELEASE := $(shell sed -n 's/^const Release = "\(.*\)"/\1/p' internal/version/version.go)
DIST    := dist/tokentray-$(RELEASE)-linux-amd64.tar.gz
dist: build
	rm -rf dist/stage
	$(MAKE) install DESTDIR=$(CURDIR)/dist/stage PREFIX=/usr/local
	tar -C dist/stage -czf $(DIST) usr
	rm -rf dist/stage
	@echo "dist: $(DIST)"
