#!/usr/bin/env bash
# The whole suite: go test -race over every package (the packages start the
# real authorization server themselves) in a private desktop session, with
# the freshly built binary for the end-to-end tests.
set -euo pipefail
cd "$(dirname "$0")/.."
exec bash scripts/insession.sh go test -race -count=1 -timeout 20m ./...
