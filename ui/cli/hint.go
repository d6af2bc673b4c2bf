package cli

import (
	"errors"
	"fmt"

	"github.com/tokentray/tokentray/auth"
)

// The command line's advice on errors lives here: what to type next. auth's
// errors carry data (sentinels and typed errors) but name no flag or
// command; the tray app words the same errors for its own screens in
// ui/session (problem.go).

// withHint adds the command that fixes a missing or rejected refresh token.
func withHint(err error, name string) error {
	var cert *auth.CertificateError
	switch {
	case errors.Is(err, auth.ErrNeedsLogin):
		return fmt.Errorf("%w\nSign in again: tokentray login %s (or --device, or --refresh-token-stdin)", err, name)
	case errors.As(err, &cert):
		return fmt.Errorf("%w\nTrust the issuer's CA: tokentray profile edit %s --ca-file CA.pem", err, name)
	}
	return err
}

// profileHint adds the flag or command that fixes a profile the engine
// refused to add or change.
func profileHint(err error, name string) error {
	var noSecret *auth.MissingSecretError
	switch {
	case errors.Is(err, auth.ErrExists):
		return fmt.Errorf("%w: choose another name or use `tokentray profile edit %s`", err, name)
	case errors.As(err, &noSecret):
		return fmt.Errorf("%w (or use --auth none for a public client)", err)
	}
	return err
}

// loginHint adds the flag that fixes a browser sign-in whose callback could
// not be received.
func loginHint(err error, name string) error {
	switch {
	case errors.Is(err, auth.ErrNoSignIn):
		return fmt.Errorf("%w\nGet a token directly: tokentray token %s", err, name)
	case errors.Is(err, auth.ErrCallbackPortInUse):
		return fmt.Errorf("%w\nChoose another port: tokentray login %s --callback-port PORT", err, name)
	case errors.Is(err, auth.ErrLoginTimeout):
		return fmt.Errorf("%w\nFix the port with: tokentray profile edit %s --callback-port PORT", err, name)
	}
	return err
}
