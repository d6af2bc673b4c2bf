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
		return "Sign in needed: the refresh token is missing, expired or revoked. Use Sign in…, or paste a new refresh token in the editor."
	case errors.Is(err, auth.ErrDenied):
		return "The sign-in was denied, in the browser or on the verification page: sign in again to retry."
	case errors.Is(err, auth.ErrCodeExpired):
		return "The code expired before it was approved: start the sign-in again."
	case errors.Is(err, auth.ErrNoRefreshToken):
		return "Signed in, but the issuer sent no refresh token, so nothing was stored: request the offline_access scope and allow it for the client " +
			"(Auth0: enable Allow Offline Access in the API's settings and the Refresh Token grant in the application's advanced settings)."
	case errors.Is(err, auth.ErrRevocation):
		return capitalise(revocationProblem(err))
	case errors.Is(err, context.Canceled):
		return "Cancelled."
	case errors.As(err, &oauth):
		return capitalise(oauth.Error()) + "."
	case errors.Is(err, context.DeadlineExceeded):
		return "The issuer did not answer in time: check the network and try again."
	case errors.Is(err, auth.ErrTemporary):
		return "The issuer is unreachable or failing right now: try again later."
	}
	return capitalise(err.Error()) + "."
}

// revocationProblem words why the issuer did not confirm a revocation:
// "the refresh token was not revoked: the issuer is unreachable or failing
// right now; try again later."
func revocationProblem(err error) string {
	var (
		rate  *auth.RateLimitError
		oauth *auth.OAuthError
	)
	why := "see the details."
	switch {
	case errors.As(err, &rate):
		why = "the issuer is rate limiting requests; retry in a minute."
	case errors.As(err, &oauth):
		why = "the issuer refused with " + oauth.Code
		if oauth.Description != "" {
			why += " (" + oauth.Description + ")"
		}
		why += "."
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, auth.ErrTemporary):
		why = "the issuer is unreachable or failing right now; try again later."
	case errors.Is(err, auth.ErrNoRevocationEndpoint):
		why = "the issuer has no revocation endpoint."
	}
	return "the refresh token was not revoked: " + why
}

// clause turns a sentence into the end of another: "The keychain is
// locked: …" becomes "the keychain is locked: …"; "ID token …" stays.
func clause(s string) string {
	if len(s) < 2 || s[0] < 'A' || s[0] > 'Z' || s[1] < 'a' || s[1] > 'z' {
		return s
	}
	return string(s[0]-'A'+'a') + s[1:]
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
		return "Sign in needed: use Sign in…"
	case errors.Is(err, auth.ErrDenied):
		return "Sign-in denied"
	case errors.Is(err, auth.ErrCodeExpired):
		return "Code expired: sign in again"
	case errors.Is(err, auth.ErrNoRefreshToken):
		return "No refresh token: allow offline_access"
	case errors.Is(err, auth.ErrRevocation):
		return "Sign-out not confirmed by the issuer"
	case errors.Is(err, context.Canceled):
		return "Cancelled"
	case errors.As(err, &oauth):
		return "Refused by the issuer: " + oauth.Code
	case errors.Is(err, context.DeadlineExceeded):
		return "Issuer timed out: retry later"
	case errors.Is(err, auth.ErrTemporary):
		return "Issuer unreachable: retry later"
	}
	return "Failed: select it for details"
}
