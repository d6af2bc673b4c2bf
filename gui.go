package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
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
	if self, err := os.Executable(); err == nil {
		if real, err := filepath.EvalSymlinks(self); err == nil {
			self = real
		}
		p := filepath.Join(filepath.Dir(self), name)
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	if p, err := exec.LookPath(name); err == nil {
		return p, nil
	}
	return "", errors.New("the tray app (" + name + ") is not installed beside tokentray or on PATH: build both with `make build`, or `go build -o DIR/ . ./cmd/tokentray-gui`")
}

// startGUI runs the tray app with args in place of this process (see
// execGUI), so its PID, signals and exit code are the tray app's.
func startGUI(args []string) error {
	p, err := guiPath()
	if err != nil {
		return err
	}
	if err := execGUI(p, args); err != nil {
		return fmt.Errorf("start the tray app %s: %w", p, err)
	}
	return nil
}
