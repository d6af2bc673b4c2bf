//go:build darwin

package autostart

import (
	"errors"
	"fmt"
	"html"
	"io/fs"
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

func enabled() (bool, error) {
	p, err := plistPath()
	if err != nil {
		return false, err
	}
	_, err = os.Stat(p)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	return err == nil, err
}

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

func disable() error {
	p, err := plistPath()
	if err != nil {
		return err
	}
	if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("stop starting at login: %w", err)
	}
	return nil
}
