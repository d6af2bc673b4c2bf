//go:build windows

package autostart

import (
	"errors"
	"fmt"

	"golang.org/x/sys/windows/registry"
)

// The per-user Run key: HKCU\Software\Microsoft\Windows\CurrentVersion\Run,
// value "tokentray".
const (
	runKey   = `Software\Microsoft\Windows\CurrentVersion\Run`
	runValue = "tokentray"
)

func location() string { return `HKEY_CURRENT_USER\` + runKey + `\` + runValue }

func enabled() (bool, error) {
	k, err := registry.OpenKey(registry.CURRENT_USER, runKey, registry.QUERY_VALUE)
	if err != nil {
		return false, nil
	}
	defer k.Close()
	_, _, err = k.GetStringValue(runValue)
	if errors.Is(err, registry.ErrNotExist) {
		return false, nil
	}
	return err == nil, err
}

func enable(gui string) error {
	k, _, err := registry.CreateKey(registry.CURRENT_USER, runKey, registry.SET_VALUE)
	if err != nil {
		return fmt.Errorf("start at login: %w", err)
	}
	defer k.Close()
	return k.SetStringValue(runValue, `"`+gui+`" `+HiddenFlag)
}

func disable() error {
	k, err := registry.OpenKey(registry.CURRENT_USER, runKey, registry.SET_VALUE)
	if err != nil {
		return nil
	}
	defer k.Close()
	if err := k.DeleteValue(runValue); err != nil && !errors.Is(err, registry.ErrNotExist) {
		return fmt.Errorf("stop starting at login: %w", err)
	}
	return nil
}
