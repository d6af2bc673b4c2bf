//go:build !(linux || freebsd || openbsd || netbsd || dragonfly)

package clipboard

import "github.com/atotto/clipboard"

// New returns the system clipboard: atotto/clipboard on Windows and macOS.
func New() (Clipboard, error) {
	if clipboard.Unsupported {
		return nil, ErrUnavailable
	}
	return atotto{}, nil
}

type atotto struct{}

func (atotto) ReadAll() (string, error)   { return clipboard.ReadAll() }
func (atotto) WriteAll(text string) error { return clipboard.WriteAll(text) }
