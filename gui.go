package main

import (
	"debug/buildinfo"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"

	"github.com/tokentray/tokentray/ui/display"
)

// guiName is the tray app's executable (cmd/tokentray-gui).
const guiName = "tokentray-gui"

// guiPath finds the tray app: beside this executable (where `make build`,
// `go build -o DIR/ . ./cmd/tokentray-gui` and packages put it), else on
// PATH.
func guiPath() (string, error) {
	name := guiName
	if runtime.GOOS == "windows" {
		name += ".exe"
	}
	var candidates []string
	self, err := os.Executable()
	if err == nil {
		if real, err := filepath.EvalSymlinks(self); err == nil {
			self = real
		}
		candidates = append(candidates, filepath.Join(filepath.Dir(self), name))
	}
	if p, err := exec.LookPath(name); err == nil {
		candidates = append(candidates, p)
	}
	for _, p := range candidates {
		// Only the tray app itself: a tokentray-gui that is this program
		// (a symlink, a copy under that name) would start itself forever,
		// and an unrelated program of that name is not ours to run.
		if bi, err := buildinfo.ReadFile(p); err == nil && bi.Path == guiPackage {
			return p, nil
		}
	}
	return "", errors.New("the tray app (" + name + ") is not installed beside tokentray or on PATH: build both with `make build`, or `go build -o DIR/ . ./cmd/tokentray-gui`")
}

// guiPackage is the tray app's main package, as its build info names it.
const guiPackage = "github.com/tokentray/tokentray/cmd/tokentray-gui"

// startGUI runs the tray app with args in place of this process (see
// execGUI), so its PID, signals and exit code are the tray app's.
func startGUI(args []string) error {
	// Before exec: on a server the tray app's OpenGL and X11 libraries may
	// not even load, so this is the place to say what is missing.
	if err := display.Check(); err != nil {
		return display.NeedsSession(err)
	}
	p, err := guiPath()
	if err != nil {
		return err
	}

	if err := execGUI(p, args); err != nil {
		return fmt.Errorf("start the tray app %s: %w", p, err)
	}
	return nil
}
