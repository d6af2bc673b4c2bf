#!/usr/bin/env bash
# Runs the whole suite inside a private desktop session (see teststack.sh):
# go test -race over every package (the packages start the real authorization
# server themselves), with the freshly built binary for the end-to-end tests.
# Everything started here is stopped by PID on exit, pass or fail.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

stack=$(mktemp -d "${TMPDIR:-/tmp}/tokentray-test.XXXXXX")
cleanup() {
	bash "$root/scripts/teststack.sh" stop "$stack" || true
	rm -rf "$stack"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

bash scripts/teststack.sh start "$stack"
# shellcheck disable=SC1091
. "$stack/env"

echo "test: building the binary"
go build -o "$stack/bin/tokentray" .
export TOKENTRAY_BIN="$stack/bin/tokentray"

echo "test: go test -race ./..."
go test -race -count=1 -timeout 20m ./...
