#!/usr/bin/env bash
# teststack.sh — a private, headless desktop session for tests: Xvfb, a
# session D-Bus, gnome-keyring's Secret Service with an unlocked login
# collection and, when installed, a StatusNotifierWatcher for the tray, a
# notification daemon (dunst) and a window manager (openbox).
#
#   testsupport/teststack/teststack.sh start DIR   start everything, write DIR/env and DIR/pids
#                                    (one "NAME PID STARTTIME" line per process)
#   testsupport/teststack/teststack.sh stop DIR    stop exactly the processes listed in DIR/pids
#
# Use:  d=$(mktemp -d) && testsupport/teststack/teststack.sh start "$d" && (. "$d/env" && go test ./...)
#       testsupport/teststack/teststack.sh stop "$d"
#
# Nothing touches the caller's real keyring, home or bus: HOME, XDG_* and the
# bus live under DIR. Processes are stopped by recorded PID (and start time,
# so a recycled PID is never hit), never by name.
set -euo pipefail

readonly STARTUP_TIMEOUT_S=10

usage() {
	echo "usage: $0 start|stop DIR" >&2
	exit 2
}

log() { echo "teststack: $*" >&2; }

# proc_starttime PID prints the process start time (field 22 of
# /proc/PID/stat) or nothing if the process is gone or a zombie. Zombies count
# as gone: PID 1 in some containers does not reap orphans, and `kill -0`
# succeeds on a zombie forever.
proc_starttime() {
	local stat rest
	stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 0
	# comm (field 2) may contain spaces and parentheses: cut after the last ')'.
	rest=${stat##*) }
	# shellcheck disable=SC2086
	set -- $rest
	[[ $1 == Z || $1 == X ]] && return 0
	echo "${20}"
}

# alive NAME PID START: is the recorded process still the one we started?
alive() {
	[[ -n $3 && $(proc_starttime "$2") == "$3" ]]
}

now_ms() { echo $(($(date +%s%N) / 1000000)); }

stop_stack() {
	local dir=$1 name pid start
	local -a names=() pids=() starts=()
	[[ -f $dir/pids ]] || return 0
	while read -r name pid start; do
		[[ -n ${pid:-} ]] || continue
		names+=("$name") pids+=("$pid") starts+=("${start:-}")
	done <"$dir/pids"

	# Reverse start order: clients of the bus go before the bus, the bus before Xvfb.
	local i
	for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
		if alive "${names[i]}" "${pids[i]}" "${starts[i]}"; then
			kill -TERM "${pids[i]}" 2>/dev/null || true
		fi
	done
	local deadline=$(($(now_ms) + 2000)) left
	while :; do
		left=0
		for i in "${!pids[@]}"; do
			alive "${names[i]}" "${pids[i]}" "${starts[i]}" && left=1
		done
		((left == 0)) && break
		if (($(now_ms) > deadline)); then
			for i in "${!pids[@]}"; do
				if alive "${names[i]}" "${pids[i]}" "${starts[i]}"; then
					log "${names[i]} (pid ${pids[i]}) ignored TERM, sending KILL"
					kill -KILL "${pids[i]}" 2>/dev/null || true
				fi
			done
			break
		fi
		sleep 0.05
	done
	# Once stopped, the env file would point at a dead bus: remove both so a
	# second stop is a no-op and a stale env cannot be sourced by mistake.
	rm -f "$dir/pids" "$dir/env"
}

start_stack() {
	local dir=$1
	mkdir -p "$dir"
	dir=$(cd "$dir" && pwd)
	if [[ -e $dir/pids ]]; then
		log "$dir/pids exists: the stack is already started there (run '$0 stop $dir' first)"
		exit 1
	fi

	# Go's defaults (GOPATH, GOCACHE, GOENV, ...) hang off HOME and XDG_*:
	# pin them to the caller's values BEFORE moving HOME, or sourcing env
	# would make every `go test` rebuild the world into an empty cache.
	local -a goenv=()
	local var val
	if command -v go >/dev/null 2>&1; then
		for var in GOPATH GOCACHE GOMODCACHE GOTOOLCHAIN GOENV GOFLAGS GOPROXY; do
			val=$(go env "$var")
			goenv+=("$(printf 'export %s=%q' "$var" "$val")")
		done
	else
		log "note: go not found in PATH, GOPATH/GOCACHE are not pinned"
	fi

	# en_US.UTF-8, a locale Fyne parses without complaint. Fyne (via
	# go-locale) only reads the variables, but C programs warn if the locale
	# is not installed. The
	# fallback C.UTF-8 alone makes Fyne log "Error parsing user locale C";
	# LANGUAGE=en_US is read first by go-locale and silences that.
	local lang=en_US.UTF-8 language=
	if ! locale -a 2>/dev/null | grep -qixE 'en_US\.utf-?8'; then
		lang=C.UTF-8 language=en_US
		log "note: locale en_US.UTF-8 is not installed; using LANG=C.UTF-8 LANGUAGE=en_US (without LANGUAGE Fyne would log 'Error parsing user locale C')"
	fi

	export HOME=$dir/home
	export XDG_RUNTIME_DIR=$dir/xdg
	export XDG_CONFIG_HOME=$HOME/.config XDG_CACHE_HOME=$HOME/.cache XDG_DATA_HOME=$HOME/.local/share
	export DBUS_SESSION_BUS_ADDRESS=unix:path=$XDG_RUNTIME_DIR/bus
	export LANG=$lang NO_AT_BRIDGE=1
	unset LC_ALL DISPLAY WAYLAND_DISPLAY
	mkdir -p "$HOME" "$XDG_CONFIG_HOME" "$XDG_CACHE_HOME" "$XDG_DATA_HOME" "$XDG_RUNTIME_DIR" "$dir/log" "$dir/dbus-services"
	chmod 700 "$HOME" "$XDG_RUNTIME_DIR"
	: >"$dir/pids"

	local deadline=$(($(now_ms) + STARTUP_TIMEOUT_S * 1000))

	# fail stops whatever was started so far, shows the log and exits non-zero.
	fail() {
		log "FAILED: $1"
		if [[ -n ${2:-} && -s $dir/log/$2.log ]]; then
			log "last lines of $dir/log/$2.log:"
			tail -n 20 "$dir/log/$2.log" >&2
		fi
		stop_stack "$dir"
		exit 1
	}
	local -A started=()
	record() {
		local start
		start=$(proc_starttime "$2")
		[[ -n $start ]] || fail "$1 (pid $2) exited right after starting" "$1"
		echo "$1 $2 $start" >>"$dir/pids"
		started[$1]="$2 $start"
	}
	# wait_until WHAT NAME CMD...: poll CMD until it succeeds; fail when the
	# process NAME (also its log's name) exits or the startup deadline passes.
	wait_until() {
		local what=$1 name=$2
		shift 2
		until "$@" >/dev/null 2>&1; do
			# shellcheck disable=SC2086
			alive "$name" ${started[$name]} || fail "$name exited before $what was ready" "$name"
			(($(now_ms) < deadline)) || fail "$what did not come up within ${STARTUP_TIMEOUT_S} s" "$name"
			sleep 0.05
		done
	}
	bus_has() {
		[[ $(busctl --user --auto-start=no call org.freedesktop.DBus /org/freedesktop/DBus \
			org.freedesktop.DBus NameHasOwner s "$1" 2>/dev/null) == "b true" ]]
	}
	login_unlocked() {
		[[ $(busctl --user --auto-start=no get-property org.freedesktop.secrets \
			/org/freedesktop/secrets/collection/login org.freedesktop.Secret.Collection Locked 2>/dev/null) == "b false" ]]
	}
	wm_ready() { DISPLAY=$display wmctrl -m; }
	display_ready() { [[ -s $dir/displayfd ]] && grep -qE '^[0-9]+$' "$dir/displayfd"; }

	# 1. Xvfb picks a free display itself and writes its number to fd 3 once it
	#    accepts connections.
	rm -f "$dir/displayfd"
	Xvfb -displayfd 3 -screen 0 1280x800x24 -nolisten tcp 3>"$dir/displayfd" >"$dir/log/xvfb.log" 2>&1 &
	record xvfb $!
	wait_until "the display" xvfb display_ready
	local display
	display=:$(head -n1 "$dir/displayfd")

	# 2. The session bus. Its own config instead of --session's: the standard
	#    one activates services from /usr/share/dbus-1/services, so a stray call
	#    would spawn a second gnome-keyring, and an unlock prompt would spawn
	#    gcr-prompter (reparented to PID 1, untracked, and on a DISPLAY it
	#    waits forever for a click). Here nothing is bus-activated: every
	#    process on this bus is one listed in DIR/pids, and an unlock prompt is
	#    dismissed at once, like on a machine where nobody answers it.
	cat >"$dir/dbus.conf" <<EOF
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <keep_umask/>
  <listen>$DBUS_SESSION_BUS_ADDRESS</listen>
  <servicedir>$dir/dbus-services</servicedir>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
EOF
	dbus-daemon --config-file="$dir/dbus.conf" --nofork --nopidfile >"$dir/log/dbus.log" 2>&1 &
	record dbus-daemon $!
	wait_until "the bus at $DBUS_SESSION_BUS_ADDRESS" dbus-daemon bus_has org.freedesktop.DBus

	# 3. gnome-keyring with a random password. A fresh HOME has no keyring:
	#    --unlock creates the login collection with this password and leaves it
	#    unlocked. stdin comes from a file, not a pipe, so $! is the daemon.
	#    Tests that lock the collection find the password through
	#    TOKENTRAY_TEST_KEYRING_PASSWORD_FILE to unlock it again.
	(umask 077 && head -c 18 /dev/urandom | base64 | tr -d '\n' >"$dir/keyring-password")
	gnome-keyring-daemon --foreground --unlock --components=secrets \
		<"$dir/keyring-password" >"$dir/log/gnome-keyring.log" 2>&1 &
	record gnome-keyring $!
	wait_until "org.freedesktop.secrets on the bus" gnome-keyring bus_has org.freedesktop.secrets
	wait_until "an unlocked login collection" gnome-keyring login_unlocked

	# 4. Optional tray host. It must be up before any app: systray registers
	#    once, and a watcher started later is not picked up.
	if command -v status-notifier-watcher >/dev/null 2>&1; then
		status-notifier-watcher >"$dir/log/status-notifier-watcher.log" 2>&1 &
		record status-notifier-watcher $!
		wait_until "org.kde.StatusNotifierWatcher on the bus" status-notifier-watcher bus_has org.kde.StatusNotifierWatcher
	else
		log "note: status-notifier-watcher not installed; tray apps will log 'failed to register'"
	fi

	# 5. Optional notification daemon (dunst): tests read what the app sent
	#    from `dunstctl history` or the bus. Without one, notifications fail
	#    with ServiceUnknown, as on a desktop without a daemon.
	if command -v dunst >/dev/null 2>&1; then
		DISPLAY=$display dunst >"$dir/log/dunst.log" 2>&1 &
		record dunst $!
		wait_until "org.freedesktop.Notifications on the bus" dunst bus_has org.freedesktop.Notifications
	else
		log "note: dunst not installed; notifications go nowhere"
	fi

	# 6. Optional window manager (openbox): closing a window through the WM
	#    (_NET_CLOSE_WINDOW, wmctrl -c) needs one. wmctrl -m succeeds once it
	#    manages the screen (_NET_SUPPORTING_WM_CHECK is set).
	if command -v openbox >/dev/null 2>&1 && command -v wmctrl >/dev/null 2>&1; then
		DISPLAY=$display openbox --sm-disable >"$dir/log/openbox.log" 2>&1 &
		record openbox $!
		wait_until "openbox managing $display" openbox wm_ready
	else
		log "note: openbox or wmctrl not installed; windows are unmanaged"
	fi

	{
		echo "# written by testsupport/teststack/teststack.sh; source it: . $dir/env"
		for var in HOME XDG_RUNTIME_DIR XDG_CONFIG_HOME XDG_CACHE_HOME XDG_DATA_HOME DBUS_SESSION_BUS_ADDRESS LANG NO_AT_BRIDGE; do
			printf 'export %s=%q\n' "$var" "${!var}"
		done
		printf 'export DISPLAY=%q\n' "$display"
		[[ -z $language ]] || printf 'export LANGUAGE=%q\n' "$language"
		# LC_ALL would override LANG; WAYLAND_DISPLAY would send clipboard
		# tools to a real Wayland session instead of Xvfb.
		echo 'unset LC_ALL WAYLAND_DISPLAY'
		printf 'export TOKENTRAY_TEST_KEYRING_PASSWORD_FILE=%q\n' "$dir/keyring-password"
		echo 'export TOKENTRAY_TEST_STACK=1'
		printf 'export TOKENTRAY_TEST_STACK_DIR=%q\n' "$dir"
		printf '%s\n' "${goenv[@]}"
	} >"$dir/env.tmp"
	mv "$dir/env.tmp" "$dir/env"
	log "up in $dir (DISPLAY=$display); source $dir/env"
}

[[ $# -eq 2 ]] || usage
case $1 in
start) start_stack "$2" ;;
stop) stop_stack "$2" ;;
*) usage ;;
esac
