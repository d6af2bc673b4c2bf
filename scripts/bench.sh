#!/usr/bin/env bash
# Prints tokentray's speed figures inside the same private desktop session
# the tests use. Figures are reported, never asserted.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
stack=$(mktemp -d "${TMPDIR:-/tmp}/tokentray-bench.XXXXXX")
cleanup() {
	bash "$root/scripts/teststack.sh" stop "$stack" || true
	rm -rf "$stack"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
bash scripts/teststack.sh start "$stack"
# shellcheck disable=SC1091
. "$stack/env"
go build -o "$stack/bin/tokentray" .
export TOKENTRAY_BIN="$stack/bin/tokentray"
go test -run '^$' -bench . -benchtime 1x -count 1 ./e2e/
