// Package assets holds tokentray's icons, drawn by gen.go and embedded so
// the binary needs no files next to it.
package assets

//go:generate go run gen.go

import (
	_ "embed"

	"fyne.io/fyne/v2"
)

var (
	//go:embed icon.png
	iconPNG []byte
	//go:embed tray.png
	trayPNG []byte
	//go:embed tray-alert.png
	trayAlertPNG []byte
)

// Icon is the application icon (512 px), also named in FyneApp.toml.
var Icon = fyne.NewStaticResource("icon.png", iconPNG)

// TrayIcon is the system tray icon (64 px, designed to stay legible at 16–32 px).
var TrayIcon = fyne.NewStaticResource("tray.png", trayPNG)

// TrayAlertIcon is the tray icon with a red dot: some profile needs a
// sign-in, or its last refresh failed.
var TrayAlertIcon = fyne.NewStaticResource("tray-alert.png", trayAlertPNG)
