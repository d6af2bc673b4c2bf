// Package autostart starts tokentray's tray app when the user logs in,
// hidden in the tray: an XDG autostart entry on Linux and the BSDs, the
// per-user Run key on Windows, a LaunchAgent on macOS. It imports no GUI
// toolkit, so the command line (`tokentray autostart on|off`) and the
// window's setting share it.
package autostart

// HiddenFlag is what the tray app is started with at login: it starts in
// the tray without showing its window.
const HiddenFlag = "--hidden"

// Enabled reports whether the tray app starts at login.
func Enabled() (bool, error) { return enabled() }

// Enable makes the tray app at gui (an absolute path) start at login.
func Enable(gui string) error { return enable(gui) }

// Disable stops the tray app from starting at login; when it did not,
// nothing happens.
func Disable() error { return disable() }

// Location says where the setting lives, for messages.
func Location() string { return location() }
