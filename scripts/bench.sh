#!/usr/bin/env bash
# Prints tokentray's speed figures inside the same kind of private desktop
# session the tests use. Figures are reported, never asserted.
#   e2e/          the CLI against the keychain and the authorization server
#   ui/desktop/   the tray app with 50 demo profiles (BenchmarkTray starts a
#                 private session of its own and takes about two minutes)
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
# After the CLI figures, not beside them: the idle-CPU minute must have the
# machine to itself.
go test -run '^$' -bench Tray -benchtime 1x -count 1 -timeout 10m ./ui/desktop/
