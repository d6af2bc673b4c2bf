//go:build !windows && !darwin

package autostart

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// The XDG autostart entry: $XDG_CONFIG_HOME/autostart/tokentray.desktop
// (Desktop Application Autostart Specification).
func entryPath() (string, error) {
	dir, err := os.UserConfigDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, "autostart", "tokentray.desktop"), nil
}

func location() string {
	p, err := entryPath()
	if err != nil {
		return "$XDG_CONFIG_HOME/autostart/tokentray.desktop"
	}
	return p
}

func enabled() (bool, error) { return fileExists(entryPath()) }

// quoteExec quotes an argument of a desktop entry's Exec key: inside double
// quotes, `"`, "`", "$" and "\" are escaped with a backslash.
func quoteExec(arg string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "`", "\\`", `$`, `\$`)
	return `"` + r.Replace(arg) + `"`
}

func enable(gui string) error {
	if !filepath.IsAbs(gui) {
		return fmt.Errorf("start at login: %q is not an absolute path", gui)
	}
	p, err := entryPath()
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return fmt.Errorf("start at login: %w", err)
	}
	entry := "[Desktop Entry]\n" +
		"Type=Application\n" +
		"Name=tokentray\n" +
		"Comment=Fresh OAuth 2.0 / OIDC access tokens in the system tray\n" +
		"Exec=" + quoteExec(gui) + " " + HiddenFlag + "\n" +
		"Icon=io.github.tokentray.tokentray\n" +
		"Terminal=false\n" +
		"X-GNOME-Autostart-enabled=true\n"
	tmp := p + ".tmp"
	if err := os.WriteFile(tmp, []byte(entry), 0o644); err != nil {
		return fmt.Errorf("start at login: %w", err)
	}
	if err := os.Rename(tmp, p); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("start at login: %w", err)
	}
	return nil
}

func disable() error { return removeFile(entryPath()) }
