//go:build darwin

package autostart

import (
	"fmt"
	"html"
	"os"
	"path/filepath"
)

// A LaunchAgent: ~/Library/LaunchAgents/io.github.tokentray.tokentray.plist,
// loaded by launchd at the next login.
const label = "io.github.tokentray.tokentray"

func plistPath() (string, error) {
	home, err := os.UserHomeDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(home, "Library", "LaunchAgents", label+".plist"), nil
}

func location() string {
	p, _ := plistPath()
	return p
}

func enabled() (bool, error) { return fileExists(plistPath()) }

func enable(gui string) error {
	p, err := plistPath()
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return fmt.Errorf("start at login: %w", err)
	}
	plist := `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
<dict>
	<key>Label</key><string>` + label + `</string>
	<key>ProgramArguments</key>
	<array><string>` + html.EscapeString(gui) + `</string><string>` + HiddenFlag + `</string></array>
	<key>RunAtLoad</key><true/>
</dict>
</plist>
`
	return os.WriteFile(p, []byte(plist), 0o644)
}

func disable() error { return removeFile(plistPath()) }
