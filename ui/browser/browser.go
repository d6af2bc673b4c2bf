// Package browser opens a page in the user's browser, the same way for the
// command line and the tray app.
package browser

import (
	"errors"
	"os"
	"os/exec"
	"runtime"
	"strings"
)

// Open shows url in the user's browser. $BROWSER, as other developer
// tools read it, wins: a ':'-separated list of commands, each given the URL
// in place of "%s" or as its last argument; the first that starts is used.
// Otherwise the platform's opener (xdg-open, open, rundll32).
func Open(url string) error {
	if env := os.Getenv("BROWSER"); env != "" {
		var errs []error
		for _, entry := range strings.Split(env, string(os.PathListSeparator)) {
			args := strings.Fields(entry)
			if len(args) == 0 {
				continue
			}
			replaced := false
			for i, a := range args {
				if strings.Contains(a, "%s") {
					args[i], replaced = strings.ReplaceAll(a, "%s", url), true
				}
			}
			if !replaced {
				args = append(args, url)
			}
			if err := start(args[0], args[1:]...); err != nil {
				errs = append(errs, err)
				continue
			}
			return nil
		}
		return errors.Join(errs...)
	}
	switch runtime.GOOS {
	case "darwin":
		return start("open", url)
	case "windows":
		return start("rundll32", "url.dll,FileProtocolHandler", url)
	}
	return start("xdg-open", url)
}

// start runs a browser without waiting for it (it may live on long after
// the sign-in), reaping it when it exits.
func start(name string, args ...string) error {
	cmd := exec.Command(name, args...)
	cmd.Stdout, cmd.Stderr = nil, nil
	if err := cmd.Start(); err != nil {
		return err
	}
	go cmd.Wait()
	return nil
}
