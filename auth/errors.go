package auth

import (
	"errors"
	"fmt"
	"slices"
	"time"
)

// Sentinel errors that callers branch on with errors.Is.
var (
	// ErrNotFound: no such profile, or no such stored secret.
	ErrNotFound = errors.New("not found")
	// ErrDamaged: a stored value exists but cannot be read back (a chunk
	// lost or changed). Stores wrap it together with ErrNotFound.
	ErrDamaged = errors.New("stored value is damaged")
	// ErrBrokenProfile: the profile is listed in the index but its record is
	// missing or unreadable; it can only be removed.
	ErrBrokenProfile = errors.New("profile record is missing or damaged")
	// ErrExists: a profile with that name exists already.
	ErrExists = errors.New("profile already exists")
	// ErrNeedsLogin: there is no refresh token, or the issuer rejected it
	// (expired, revoked or already used). Only a new sign-in helps.
	ErrNeedsLogin = errors.New("sign-in needed")
	// ErrTemporary marks failures worth retrying later without changing
	// anything: rate limits, 5xx, timeouts, network trouble.
	ErrTemporary = errors.New("temporarily unavailable")

	// ErrKeychainUnavailable: no Secret Service / keychain could be reached.
	ErrKeychainUnavailable = errors.New("keychain unavailable")
	// ErrKeychainLocked: the keychain (collection) is locked.
	ErrKeychainLocked = errors.New("keychain locked")
	// ErrKeychainTimeout: the keychain did not answer in time, typically
	// because it waits for an unlock prompt nobody answers.
	ErrKeychainTimeout = errors.New("keychain did not answer in time")

	// ErrRedirect: the token endpoint answered with a redirect, which is
	// never followed: a 307/308 would re-post the client secret and refresh
	// token to whatever host the redirect names.
	ErrRedirect = errors.New("token endpoint redirected")
	// ErrNoSignIn: the profile gets its tokens with client credentials
	// (Profile.Machine), so there is no sign-in and no refresh token.
	ErrNoSignIn = errors.New("the profile gets its tokens with the application's client credentials: it has no sign-in")
	// ErrInsecureURL: a non-https URL for a host that is not loopback.
	ErrInsecureURL = errors.New("insecure URL")
)

// Grants, as named in OAuthError.Grant.
const (
	GrantRefresh = "refresh_token"
	GrantCode    = "authorization_code"
	GrantDevice  = "device_code"
	// GrantClientCredentials is the machine-to-machine grant (RFC 6749
	// §4.4): the application's own credentials, no user.
	GrantClientCredentials = "client_credentials"
	// GrantRevocation names a revocation request (RFC 7009), not a grant.
	GrantRevocation = "revocation"
)

// OAuthError is an error response from the token endpoint (RFC 6749 §5.2)
// or, with Authorization set, from the authorization endpoint (the
// browser's redirect back, §4.1.2.1).
type OAuthError struct {
	Status      int    // HTTP status (0 for an authorization response)
	Code        string // "invalid_grant", "invalid_client", ...
	Description string // error_description, as sent by the server
	Grant       string // the grant that was refused; "" means GrantRefresh
	// Authorization: the issuer refused the sign-in itself, before any
	// token request.
	Authorization bool
}

// needsLoginCodes are the errors after which only a new interactive
// sign-in helps, whatever the grant: the issuer wants the user (to log in,
// consent, or pass multi-factor authentication).
var needsLoginCodes = []string{"login_required", "consent_required", "interaction_required", "mfa_required"}

func (e *OAuthError) Error() string {
	msg := "token endpoint refused the request: " + e.Code
	if e.Authorization {
		msg = "the issuer refused the sign-in: " + e.Code
	}
	if e.Description != "" {
		msg += fmt.Sprintf(" (%s)", clip(e.Description, 200))
	}
	grant := e.grant()
	switch e.Code {
	case "invalid_grant":
		if grant == GrantRefresh {
			msg += ": the refresh token expired, was revoked or was already used; sign in again"
		} else {
			msg += ": the sign-in expired or was already used; sign in again"
		}
	case "mfa_required":
		msg += ": multi-factor authentication is required; signing in again will ask for it"
	case "login_required", "consent_required", "interaction_required":
		if e.Authorization {
			msg += ": the issuer wants you to sign in interactively; set the profile's prompt back to the default, then sign in again"
		} else {
			msg += ": the issuer wants you to sign in again"
		}
	case "invalid_client":
		msg += ": check the client ID, client secret and authentication method (post, basic, none)"
	case "unauthorized_client", "unsupported_grant_type":
		if grant == GrantRevocation {
			msg += ": the application may not revoke its tokens at this issuer"
			break
		}
		msg += fmt.Sprintf(": the application may not use the %s grant; enable it in the issuer's application settings", grant)
		switch grant {
		case GrantRefresh:
			msg += " (Auth0: Applications, the application, Advanced Settings, Grant Types: Refresh Token)"
		case GrantClientCredentials:
			msg += " (Auth0: Applications, the application, Advanced Settings, Grant Types: Client Credentials)"
		}
	case "access_denied":
		if grant == GrantClientCredentials {
			msg += ": the application is not authorised for this API; authorise it at the issuer" +
				" (Auth0: Applications, APIs, the API, Machine To Machine Applications)"
		}
	case "invalid_scope":
		msg += ": the requested scope is not allowed for this client"
	case "server_error", "temporarily_unavailable":
		msg += ": the issuer has trouble; retry later"
	}
	return msg
}

func (e *OAuthError) grant() string {
	if e.Grant == "" {
		return GrantRefresh
	}
	return e.Grant
}

// Is makes a rejected refresh token, and an issuer that wants the user
// (login, consent, multi-factor authentication), an ErrNeedsLogin;
// access_denied an ErrDenied; server-side trouble ErrTemporary.
func (e *OAuthError) Is(target error) bool {
	switch target {
	case ErrNeedsLogin:
		return (e.Code == "invalid_grant" && e.grant() == GrantRefresh) || slices.Contains(needsLoginCodes, e.Code)
	case ErrDenied:
		// A refresh refused with access_denied (an Auth0 Action's
		// api.access.deny) is not a declined sign-in.
		return e.Code == "access_denied" && (e.Authorization || e.Grant == GrantCode || e.Grant == GrantDevice)
	case ErrTemporary:
		return e.Status >= 500 || e.Code == "server_error" || e.Code == "temporarily_unavailable"
	}
	return false
}

// RateLimitError is a 429 (or Auth0's "Global limit has been reached").
type RateLimitError struct {
	Status     int
	RetryAfter time.Duration // 0 when the server did not say
}

func (e *RateLimitError) Error() string {
	if e.RetryAfter > 0 {
		return fmt.Sprintf("rate limited by the token endpoint (HTTP %d), retry in %d s", e.Status, int(e.RetryAfter.Round(time.Second)/time.Second))
	}
	return fmt.Sprintf("rate limited by the token endpoint (HTTP %d), retry later", e.Status)
}

// Is marks rate limits as temporary.
func (e *RateLimitError) Is(target error) bool { return target == ErrTemporary }

// ResponseError is a token endpoint answer that is neither a token nor an
// OAuth error: an HTML error page, a 5xx, invalid JSON, a token without
// access_token. Excerpt is a short, secret-free piece of the body.
type ResponseError struct {
	Status      int
	ContentType string
	Problem     string // what was wrong, e.g. "not JSON", "no access_token"
	Excerpt     string
}

func (e *ResponseError) Error() string {
	msg := fmt.Sprintf("unexpected answer from the token endpoint: HTTP %d, %s", e.Status, e.Problem)
	if e.ContentType != "" {
		msg += fmt.Sprintf(" (%s)", e.ContentType)
	}
	if e.Excerpt != "" {
		msg += fmt.Sprintf(": %q", e.Excerpt)
	}
	return msg
}

// Is marks server-side failures as temporary.
func (e *ResponseError) Is(target error) bool {
	return target == ErrTemporary && (e.Status >= 500 || e.Status == 0)
}

// CertificateError: the issuer's TLS certificate did not verify against the
// system roots and the profile's CA file. Verification is never turned off;
// the fix is to trust the issuer's CA (Profile.CAFile).
type CertificateError struct {
	// Cause is the innermost verification error (unknown authority, wrong
	// host name, ...). It is kept for its text, not unwrapped: callers
	// branch on *CertificateError itself.
	Cause error
}

func (e *CertificateError) Error() string {
	return fmt.Sprintf("TLS certificate not trusted (%v): trust the issuer's CA in the profile's CA file; verification is never turned off", e.Cause)
}

// MissingSecretError: the profile's authentication method sends a client
// secret (post or basic) and the profile has none. A public client has
// AuthNone instead.
type MissingSecretError struct {
	Method AuthMethod
}

func (e *MissingSecretError) Error() string {
	return fmt.Sprintf("auth method %q needs a client secret", e.Method)
}

// clip shortens s to n runes.
func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}
