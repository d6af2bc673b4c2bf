#!/usr/bin/env bash
# insession.sh CMD [ARGS...] runs CMD inside a private desktop session (see
# teststack.sh: Xvfb, D-Bus, gnome-keyring, tray host) with a freshly built
# binary in $TOKENTRAY_BIN. Everything started here is stopped by PID on
# exit, pass or fail.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
stack=$(mktemp -d "${TMPDIR:-/tmp}/tokentray-session.XXXXXX")
cleanup() {
	bash "$root/testsupport/teststack/teststack.sh" stop "$stack" || true
	rm -rf "$stack"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

bash testsupport/teststack/teststack.sh start "$stack"
# shellcheck disable=SC1091
. "$stack/env"
echo "insession: building the binary"
# As `make build` builds them, version stamp included.
describe=$(git describe --tags --always --dirty 2>/dev/null || true)
ldflags="-X github.com/tokentray/tokentray/internal/version.Describe=$describe"
CGO_ENABLED=0 go build -ldflags "$ldflags" -o "$stack/bin/" .
go build -ldflags "$ldflags" -o "$stack/bin/" ./cmd/tokentray-gui
export TOKENTRAY_DESCRIBE=$describe
export TOKENTRAY_BIN="$stack/bin/tokentray"
"$@"
