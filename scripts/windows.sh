#!/usr/bin/env bash
# windows.sh [OUT] cross-builds both executables for windows/amd64 into OUT
# (default bin/windows), each with the icon (assets/icon.png) and a version
# resource (internal/version.Release, which a test keeps in step with
# FyneApp.toml):
#   tokentray.exe      the command line: no cgo, a console program;
#   tokentray-gui.exe  the tray app: Fyne needs cgo, so mingw-w64's gcc
#                      (Debian: gcc-mingw-w64-x86-64); linked for the
#                      windowsgui subsystem, so starting it opens no console.
# `make windows` runs it, and so does `make test` (e2e/windows_test.go reads
# the resources back). A cold build of the tray app takes ~7 minutes on 2
# cores (the cgo compile of GLFW and go-gl); after that, seconds.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-bin/windows}
: "${CC_WINDOWS:=x86_64-w64-mingw32-gcc}"
command -v "$CC_WINDOWS" >/dev/null || {
	echo "windows: $CC_WINDOWS not found: install gcc-mingw-w64-x86-64 (make deps does)" >&2
	exit 1
}

# go-winres turns the PNG into a multi-size icon and writes it, the version
# and an application manifest into a .syso that `go build` links into the
# package in the same directory. fyne package -os windows does the same for
# the tray app, but it always links for the windowsgui subsystem (so it
# cannot do the command line) and builds the app twice (once without, once
# with the resources): one tool for both is simpler and builds once. It runs
# as `go run pkg@version`: pinned, cached by Go after the first build, and
# out of go.mod, which only lists what tokentray's packages import.
winres=(go run github.com/tc-hib/go-winres@v0.3.3)
release=$(sed -n 's/^const Release = "\(.*\)"/\1/p' internal/version/version.go)
[ -n "$release" ] || { echo "windows: no Release in internal/version/version.go" >&2; exit 1; }
# As `make build` stamps it (the Makefile passes its DESCRIBE).
describe=${DESCRIBE-$(git describe --tags --always --dirty 2>/dev/null || true)}
ldflags="-X github.com/tokentray/tokentray/internal/version.Describe=$describe"

# The .syso files exist only for this build: left behind, they would be
# linked into every later windows/amd64 build of these packages.
syso=(rsrc_windows_amd64.syso cmd/tokentray-gui/rsrc_windows_amd64.syso)
trap 'rm -f "${syso[@]}"' EXIT
resources() { # DIR FILENAME MANIFEST DESCRIPTION
	"${winres[@]}" simply --arch amd64 --out "$1/rsrc" --manifest "$3" \
		--icon assets/icon.png --product-name tokentray --file-description "$4" \
		--original-filename "$2" --product-version "$release" --file-version "$release"
}
resources . tokentray.exe cli "tokentray command line"
resources cmd/tokentray-gui tokentray-gui.exe gui "tokentray tray app"

mkdir -p "$out"
echo "windows: $out/tokentray.exe"
CGO_ENABLED=0 GOOS=windows GOARCH=amd64 go build -ldflags "$ldflags" -o "$out/tokentray.exe" .
echo "windows: $out/tokentray-gui.exe (a cold build takes ~7 minutes)"
CGO_ENABLED=1 GOOS=windows GOARCH=amd64 CC="$CC_WINDOWS" \
	go build -ldflags "-H=windowsgui $ldflags" -o "$out/tokentray-gui.exe" ./cmd/tokentray-gui
