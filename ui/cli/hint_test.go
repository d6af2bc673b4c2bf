package cli_test

import (
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/tokentray/tokentray/ui/cli"
)

// auth names no flag or command; the command line adds what to type.
func TestErrorsSayWhatToType(t *testing.T) {
	h := newHarness(t)
	code, _, stderr := h.run("", "profile", "add", "dev", "--domain", "a.example.com", "--client-id", "x", "--auth", "none")
	require.Equal(t, cli.ExitOK, code, stderr)

	for _, tc := range []struct {
		name string
		args []string
		code int
		want string
	}{
		{"name taken", []string{"profile", "add", "dev", "--domain", "b.example.com", "--client-id", "y", "--auth", "none"}, cli.ExitError,
			"tokentray: add dev: profile already exists: choose another name or use `tokentray profile edit dev`\n"},
		{"no secret", []string{"profile", "add", "api", "--domain", "a.example.com", "--client-id", "x", "--auth", "post"}, cli.ExitError,
			"tokentray: auth method \"post\" needs a client secret (or use --auth none for a public client)\n"},
		{"no secret after an edit", []string{"profile", "edit", "dev", "--auth", "basic"}, cli.ExitError,
			"tokentray: auth method \"basic\" needs a client secret (or use --auth none for a public client)\n"},
		{"no refresh token", []string{"token", "dev"}, cli.ExitNeedLogin,
			"tokentray: refresh dev: no refresh token stored: sign-in needed\nSign in again: tokentray login dev (or --device, or --refresh-token-stdin)\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, stderr := h.run("", tc.args...)
			require.Equal(t, tc.code, code)
			require.Equal(t, tc.want, stderr)
		})
	}
}
