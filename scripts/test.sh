#!/usr/bin/env bash
# The whole suite: cross-builds of the command line, then go test -race
# over every package (the packages start the real authorization server
# themselves) in a private desktop session, with the freshly built binaries
# for the end-to-end tests.
set -euo pipefail
cd "$(dirname "$0")/.."
# The command line needs no cgo: it must keep building for every OS (the
# tray app's Windows and macOS builds need their C toolchains; see README).
for target in windows/amd64 darwin/arm64 darwin/amd64; do
	echo "test: cross-building the command line for $target"
	CGO_ENABLED=0 GOOS=${target%/*} GOARCH=${target#*/} go build -o /dev/null .
	CGO_ENABLED=0 GOOS=${target%/*} GOARCH=${target#*/} go vet . ./auth/... ./ui/cli ./ui/display ./ui/text ./ui/shutdown ./ui/browser ./internal/...
done
exec bash scripts/insession.sh go test -race -count=1 -timeout 20m ./...
