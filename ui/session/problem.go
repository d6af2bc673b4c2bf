package session

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/tokentray/tokentray/auth"
	"github.com/tokentray/tokentray/ui/text"
)

// Problem is the one-line, user-facing wording of an error from the engine
// or the clipboard: what went wrong and what to do next. auth returns typed
// errors; this is where the GUI words them. The full error stays available
// for the inspector.
func Problem(err error) string {
	p, _ := words(err)
	return p
}

// Brief is Problem in a few words, for a list row: "Sign in needed",
// "Keychain locked", "Issuer unreachable, retry later". The inspector shows
// Problem and the full error.
func Brief(err error) string {
	_, b := words(err)
	return b
}

// words is the one place that tells errors apart for the GUI: it returns
// both wordings of err, the sentence (Problem) and the few words (Brief),
// so the two never disagree on what an error is.
func words(err error) (problem, brief string) {
	var (
		rate  *auth.RateLimitError
		oauth *auth.OAuthError
		cert  *auth.CertificateError
	)
	switch {
	case err == nil:
		return "", ""
	// Before the keychain and sign-in cases: these say why a sign-in is
	// needed, which the generic wording would hide.
	case errors.Is(err, auth.ErrRotationLost):
		return "Sign in needed: the issuer replaced the refresh token but the keychain did not store the new one, so the stored one is spent and is never sent again. Use Sign in…",
			"Sign in needed: new token not stored"
	case errors.Is(err, auth.ErrProfileChanged):
		return "The profile was changed or removed while you were signing in, so nothing was stored: sign in again if you still need it.",
			"Profile changed during sign-in"
	case errors.Is(err, auth.ErrClosed):
		return "tokentray is quitting.", "Quitting"
	case errors.Is(err, auth.ErrRevocation):
		return Sentence(revocationProblem(err)), "Sign-out not confirmed by the issuer"
	case errors.As(err, &oauth) && oauth.Authorization && slices.Contains([]string{"login_required", "consent_required", "interaction_required"}, oauth.Code):
		return "The issuer wants you to sign in interactively (" + oauthWhy(oauth) + "): set the profile's sign-in prompt back to Default in the editor, then sign in again.",
			"Sign-in needs a prompt: edit the profile"
	case errors.As(err, &oauth) && oauth.Code == "mfa_required":
		return "Multi-factor authentication is required: sign in again (Sign in…), and the issuer will ask for it.",
			"Sign in needed: MFA required"
	case errors.As(err, &oauth) && slices.Contains([]string{"login_required", "consent_required", "interaction_required"}, oauth.Code):
		return "The issuer wants you to sign in again (" + oauthWhy(oauth) + "). Use Sign in…", "Sign in needed: " + oauth.Code
	case errors.As(err, &oauth) && (oauth.Code == "unauthorized_client" || oauth.Code == "unsupported_grant_type") && (oauth.Grant == "" || oauth.Grant == auth.GrantRefresh):
		return "This application may not use refresh tokens: enable the Refresh Token grant for it at the issuer " +
				"(Auth0: Applications, the application, Advanced Settings, Grant Types).",
			"Refresh tokens not allowed for the app"
	case errors.Is(err, ErrNoClipboardTool):
		return "No clipboard on this Wayland desktop: install wl-clipboard (sudo apt install wl-clipboard).",
			"No clipboard: install wl-clipboard"
	case errors.Is(err, auth.ErrKeychainLocked):
		return "The keychain is locked: unlock your login keyring, then try again.",
			"Keychain locked: unlock it and retry"
	case errors.Is(err, auth.ErrKeychainTimeout):
		return "The keychain did not answer: an unlock prompt may be waiting on your screen.",
			"Keychain not answering: unlock prompt open?"
	case errors.Is(err, auth.ErrKeychainUnavailable):
		return "No keychain found: start a Secret Service (gnome-keyring or KeePassXC), then try again.",
			"No keychain (Secret Service) found"
	case errors.Is(err, auth.ErrBrokenProfile):
		return "The profile's record in the keychain is missing or damaged: delete the profile and add it again.",
			"Damaged profile: delete and add it again"
	case errors.As(err, &rate):
		if rate.RetryAfter > 0 {
			in := text.Duration(rate.RetryAfter.Round(time.Second))
			return fmt.Sprintf("The issuer is rate limiting token requests: retry in %s.", in), "Rate limited: retry in " + in
		}
		return "The issuer is rate limiting token requests: retry in a minute.", "Rate limited: retry in a minute"
	case errors.Is(err, auth.ErrNeedsLogin):
		return "Sign in needed: the refresh token is missing, expired or revoked. Use Sign in…, or paste a new refresh token in the editor.",
			"Sign in needed: use Sign in…"
	case errors.Is(err, auth.ErrDenied):
		return "The sign-in was denied, in the browser or on the verification page: sign in again to retry.",
			"Sign-in denied"
	case errors.Is(err, auth.ErrCodeExpired):
		return "The code expired before it was approved: start the sign-in again.",
			"Code expired: sign in again"
	case errors.Is(err, auth.ErrNoConsent):
		return "Signed in, but the issuer sent no refresh token, so nothing was stored: an OpenID Connect issuer grants offline access only when the sign-in asks for consent. Set the profile's sign-in prompt back to Default in the editor.",
			"No refresh token: sign-in prompt skips consent"
	case errors.Is(err, auth.ErrNoRefreshToken):
		return "Signed in, but the issuer sent no refresh token, so nothing was stored: request the offline_access scope and allow it for the client " +
				"(Auth0: enable Allow Offline Access in the API's settings and the Refresh Token grant in the application's advanced settings).",
			"No refresh token: allow offline_access"
	case errors.Is(err, context.Canceled):
		return "Cancelled.", "Cancelled"
	case errors.As(err, &oauth):
		return Sentence(oauth.Error()), "Refused by the issuer: " + oauth.Code
	case errors.As(err, &cert):
		// auth's own text names the CLI's --ca-file; the window has a field.
		return "The issuer's TLS certificate is not trusted (" + cert.Cause.Error() + "): give the issuer's CA certificate as the profile's CA file in the editor. Verification is never turned off.",
			"TLS certificate not trusted: set a CA file"
	case errors.Is(err, context.DeadlineExceeded):
		return "The issuer did not answer in time: check the network and try again.",
			"Issuer timed out: retry later"
	case errors.Is(err, auth.ErrTemporary):
		return "The issuer is unreachable or failing right now: try again later.",
			"Issuer unreachable: retry later"
	}
	return Sentence(err.Error()), "Failed: select it for details"
}

// oauthWhy is an OAuth error's code and the issuer's description.
func oauthWhy(oauth *auth.OAuthError) string {
	if oauth.Description == "" {
		return oauth.Code
	}
	return oauth.Code + ": " + oauth.Description
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

// Sentence makes a lower-case error message (Go's convention) a sentence
// for the GUI: a capital first letter and a full stop.
func Sentence(s string) string {
	if s == "" {
		return s
	}
	if s[0] >= 'a' && s[0] <= 'z' {
		s = string(s[0]-'a'+'A') + s[1:]
	}
	if !strings.HasSuffix(s, ".") {
		s += "."
	}
	return s
}
