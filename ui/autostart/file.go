//go:build !windows

package autostart

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
)

// fileExists: on Linux and macOS the setting is a file's presence.
func fileExists(path string, err error) (bool, error) {
	if err != nil {
		return false, err
	}
	_, err = os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	return err == nil, err
}

// removeFile removes path; a missing file is not an error.
func removeFile(path string, err error) error {
	if err != nil {
		return err
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("stop starting at login: %w", err)
	}
	return nil
}
