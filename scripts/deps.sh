#!/usr/bin/env bash
# Installs what building and testing tokentray needs on Debian 12: the cgo
# libraries Fyne links against, mingw-w64's gcc for the Windows build, the
# headless desktop session the tests use (Xvfb, D-Bus, gnome-keyring, a tray
# host, a notification daemon, a window manager, clipboard and window
# tools), and the test authorization server's npm packages. Safe to run
# again: it installs only what is missing. Runs as root, or through sudo.
set -euo pipefail
cd "$(dirname "$0")/.."

pkgs=(gcc pkg-config libgl1-mesa-dev libx11-dev libxcursor-dev libxrandr-dev libxinerama-dev
	libxi-dev libxxf86vm-dev xvfb dbus gnome-keyring libsecret-tools xclip xdotool imagemagick
	jq libgl1-mesa-dri curl nodejs npm psmisc haskell-status-notifier-item-utils locales
	dunst dbus-user-session openbox wmctrl desktop-file-utils man-db gcc-mingw-w64-x86-64)
# dbus-user-session is named because dunst needs some session bus package:
# left to apt, that choice could fall on dbus-x11 (see below).
missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# Node may come from elsewhere (nodesource, nvm): only ask apt for it when absent.
if command -v node >/dev/null && command -v npm >/dev/null; then
	missing=("${missing[@]/#nodejs/}") && missing=("${missing[@]/#npm/}")
fi
missing=($(printf '%s\n' "${missing[@]}" | grep -v '^$' || true))
if ((${#missing[@]})); then
	sudo=""
	[ "$(id -u)" -eq 0 ] || sudo="sudo"
	echo "deps: installing ${missing[*]}"
	$sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq
	$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# dbus-x11 makes godbus spawn stray session buses when no address is set.
if dpkg-query -W -f='${Status}' dbus-x11 2>/dev/null | grep -q "install ok installed"; then
	echo "deps: warning: dbus-x11 is installed; the tests export their own bus address, so it is not used" >&2
fi
if ! locale -a 2>/dev/null | grep -qi '^en_US\.utf-\?8$'; then
	sudo=""
	[ "$(id -u)" -eq 0 ] || sudo="sudo"
	$sudo sed -i 's/^# *en_US.UTF-8 UTF-8/en_US.UTF-8 UTF-8/' /etc/locale.gen && $sudo locale-gen >/dev/null || true
fi
# npm ci only when the lock changed since the last install.
stamp=testsupport/testserver/node_modules/.tokentray-lock
if ! cmp -s testsupport/testserver/package-lock.json "$stamp" 2>/dev/null; then
	echo "deps: npm ci (testsupport/testserver)"
	npm ci --prefix testsupport/testserver --no-audit --no-fund --loglevel=error
	cp testsupport/testserver/package-lock.json "$stamp"
fi
if ! command -v staticcheck >/dev/null && [ ! -x "$(go env GOPATH)/bin/staticcheck" ]; then
	echo "deps: installing staticcheck"
	go install honnef.co/go/tools/cmd/staticcheck@v0.8.2 >/dev/null 2>&1 || echo "deps: staticcheck unavailable; make lint will skip it" >&2
fi
