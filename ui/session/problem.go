package session

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/tokentray/tokentray/auth"
	"github.com/tokentray/tokentray/ui/widgets"
)

// Problem is the one-line, user-facing wording of an error from the engine
// or the clipboard: what went wrong and what to do next. auth returns typed
// errors; this is where the GUI words them. The full error stays available
// for the inspector.
func Problem(err error) string {
	var (
		rate  *auth.RateLimitError
		oauth *auth.OAuthError
	)
	switch {
	case err == nil:
		return ""
	case errors.Is(err, ErrNoClipboardTool):
		return "No clipboard tool found: install xclip (sudo apt install xclip), or wl-clipboard on Wayland."
	case errors.Is(err, auth.ErrKeychainLocked):
		return "The keychain is locked: unlock your login keyring, then try again."
	case errors.Is(err, auth.ErrKeychainTimeout):
		return "The keychain did not answer: an unlock prompt may be waiting on your screen."
	case errors.Is(err, auth.ErrKeychainUnavailable):
		return "No keychain found: start a Secret Service (gnome-keyring or KeePassXC), then try again."
	case errors.Is(err, auth.ErrBrokenProfile):
		return "The profile's record in the keychain is missing or damaged: delete the profile and add it again."
	case errors.As(err, &rate):
		if rate.RetryAfter > 0 {
			return fmt.Sprintf("The issuer is rate limiting token requests: retry in %s.", widgets.Duration(rate.RetryAfter.Round(time.Second)))
		}
		return "The issuer is rate limiting token requests: retry in a minute."
	case errors.Is(err, auth.ErrNeedsLogin):
		return "Sign in needed: the refresh token is missing, expired or revoked. Edit the profile and paste a new one."
	case errors.As(err, &oauth):
		return capitalise(oauth.Error()) + "."
	case errors.Is(err, context.DeadlineExceeded):
		return "The issuer did not answer in time: check the network and try again."
	case errors.Is(err, auth.ErrTemporary):
		return "The issuer is unreachable or failing right now: try again later."
	}
	return capitalise(err.Error()) + "."
}

func capitalise(s string) string {
	if s == "" || s[0] < 'a' || s[0] > 'z' {
		return s
	}
	return string(s[0]-'a'+'A') + s[1:]
}

// Brief is Problem in a few words, for a list row: "Sign in needed",
// "Keychain locked", "Issuer unreachable, retry later". The inspector shows
// Problem and the full error.
func Brief(err error) string {
	var rate *auth.RateLimitError
	var oauth *auth.OAuthError
	switch {
	case err == nil:
		return ""
	case errors.Is(err, ErrNoClipboardTool):
		return "No clipboard tool: install xclip"
	case errors.Is(err, auth.ErrKeychainLocked):
		return "Keychain locked: unlock it and retry"
	case errors.Is(err, auth.ErrKeychainTimeout):
		return "Keychain not answering: unlock prompt open?"
	case errors.Is(err, auth.ErrKeychainUnavailable):
		return "No keychain (Secret Service) found"
	case errors.Is(err, auth.ErrBrokenProfile):
		return "Damaged profile: delete and add it again"
	case errors.As(err, &rate):
		if rate.RetryAfter > 0 {
			return "Rate limited: retry in " + widgets.Duration(rate.RetryAfter.Round(time.Second))
		}
		return "Rate limited: retry in a minute"
	case errors.Is(err, auth.ErrNeedsLogin):
		return "Sign in needed: paste a new refresh token"
	case errors.As(err, &oauth):
		return "Refused by the issuer: " + oauth.Code
	case errors.Is(err, context.DeadlineExceeded):
		return "Issuer timed out: retry later"
	case errors.Is(err, auth.ErrTemporary):
		return "Issuer unreachable: retry later"
	}
	return "Failed: select it for details"
}
