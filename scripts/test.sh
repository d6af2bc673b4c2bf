#!/usr/bin/env bash
# The whole suite: cross-builds of the command line and of both Windows
# executables, then go test -race over every package (the packages start
# the real authorization server themselves) in a private desktop session,
# with the freshly built binaries for the end-to-end tests.
set -euo pipefail
cd "$(dirname "$0")/.."
# The command line needs no cgo: it must keep building for every OS (the
# tray app's macOS build needs a Mac; see docs/macos.md).
for target in windows/amd64 darwin/arm64 darwin/amd64; do
	if [ "$target" = windows/amd64 ]; then
		echo "test: vetting the command line for $target (windows.sh below builds it)"
	else
		echo "test: cross-building the command line for $target"
		CGO_ENABLED=0 GOOS=${target%/*} GOARCH=${target#*/} go build -o /dev/null .
	fi
	CGO_ENABLED=0 GOOS=${target%/*} GOARCH=${target#*/} go vet . ./auth/... ./ui/cli ./ui/display ./ui/text ./ui/shutdown ./ui/browser ./internal/...
done
# Both Windows executables as `make windows` makes them, so a Windows
# build break fails the suite; e2e/windows_test.go reads their resources.
echo "test: cross-building both executables for windows/amd64"
bash scripts/windows.sh bin/windows
export TOKENTRAY_WINDOWS=$PWD/bin/windows
exec bash scripts/insession.sh go test -race -count=1 -timeout 20m ./...
