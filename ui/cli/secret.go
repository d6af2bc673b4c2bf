package cli

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strings"
)

// maxSecret bounds what is read from stdin for one secret.
const maxSecret = 64 << 10

// readSecret reads a secret from stdin, never from arguments (they show up in
// `ps` and shell history): a hidden prompt on a terminal, otherwise all of
// stdin. Surrounding whitespace is trimmed.
func (a *App) readSecret(what string) (string, error) {
	var s string
	if a.Terminal != nil && a.Terminal() && a.ReadHidden != nil {
		fmt.Fprintf(a.Stderr, "%s (input hidden): ", what)
		line, err := a.ReadHidden()
		fmt.Fprintln(a.Stderr)
		if err != nil {
			return "", fmt.Errorf("read %s: %w", what, err)
		}
		s = line
	} else {
		b, err := io.ReadAll(io.LimitReader(bufio.NewReader(a.Stdin), maxSecret+1))
		if err != nil {
			return "", fmt.Errorf("read %s from stdin: %w", what, err)
		}
		if len(b) > maxSecret {
			return "", fmt.Errorf("read %s from stdin: more than %d bytes", what, maxSecret)
		}
		s = string(b)
	}
	s = strings.TrimSpace(s)
	if s == "" {
		return "", errors.New(what + " is empty: pipe it on stdin, e.g. `pbpaste | tokentray ...` or `tokentray ... < file`")
	}
	return s, nil
}
