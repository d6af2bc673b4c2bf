#!/usr/bin/env bash
# Prints tokentray's speed figures inside the same kind of private desktop
# session the tests use. Figures are reported, never asserted.
#   e2e/          the CLI against the keychain and the authorization server
#   e2e/trayapp/  the tray app with 50 demo profiles (BenchmarkTray starts a
#                 private session of its own and takes about two minutes)
set -euo pipefail
cd "$(dirname "$0")/.."
# The tray figures come after the CLI ones, not beside them: the idle-CPU
# minute must have the machine to itself.
exec bash scripts/insession.sh bash -c '
	go test -run "^$" -bench . -benchtime 1x -count 1 ./e2e/ &&
	go test -run "^$" -bench Tray -benchtime 1x -count 1 -timeout 10m ./e2e/trayapp/'
