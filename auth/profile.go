package auth

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"slices"
	"strings"
	"time"
)

// AuthMethod is how the client authenticates at the token endpoint.
type AuthMethod string

// Client authentication methods (OIDC Core §9 names in comments).
const (
	AuthPost  AuthMethod = "post"  // client_secret_post: Auth0's documented default
	AuthBasic AuthMethod = "basic" // client_secret_basic
	AuthNone  AuthMethod = "none"  // public client: client_id only
)

// Profile is one OAuth client configuration. Exactly one of Domain, Issuer
// and TokenURL says where the token endpoint is.
type Profile struct {
	Name         string     `json:"name"`
	Domain       string     `json:"domain,omitempty"`    // Auth0 domain: https://DOMAIN/oauth/token
	Issuer       string     `json:"issuer,omitempty"`    // OIDC issuer: token endpoint from discovery
	TokenURL     string     `json:"token_url,omitempty"` // explicit token endpoint
	ClientID     string     `json:"client_id"`
	ClientSecret string     `json:"client_secret,omitempty"`
	AuthMethod   AuthMethod `json:"auth_method,omitempty"`
	Audience     string     `json:"audience,omitempty"`
	Scope        string     `json:"scope,omitempty"`
	CAFile       string     `json:"ca_file,omitempty"` // PEM bundle trusted in addition to the system roots
	// CallbackPort fixes the loopback port of the browser sign-in's redirect
	// URI, for issuers that match callback URLs exactly (Auth0's "Allowed
	// Callback URLs"); 0 picks a free port for each sign-in.
	CallbackPort int `json:"callback_port,omitempty"`
	// Prompt is the OpenID Connect prompt of a browser sign-in: one of
	// Prompts, or several space-separated ("login consent"; none stands
	// alone); empty means the default, see LoginPrompt.
	Prompt string `json:"prompt,omitempty"`
	// Params are extra parameters sent with every request to the issuer's
	// authorization, device authorization and token endpoints: Auth0's
	// organization or connection, Google's access_type, an RFC 8707
	// resource. RFC 6749 has servers ignore parameters they do not know,
	// so each goes everywhere it may be wanted. Never a protocol field
	// tokentray sets itself (see ReservedParam).
	Params map[string]string `json:"params,omitempty"`
	// Grant is where the profile's tokens come from: "" (the default), a
	// user's sign-in whose refresh token is kept; GrantClientCredentials,
	// the application's own credentials (machine to machine): no user, no
	// refresh token, a new access token from the client ID and secret
	// whenever the cached one runs out.
	Grant string `json:"grant,omitempty"`
	// RefreshLifetime and RefreshIdle are the issuer's refresh token
	// lifetimes where its answers do not state them (Auth0's absolute and
	// inactivity lifetimes, in the API's settings): how long after the
	// sign-in, and after the last refresh, a new sign-in is needed. 0:
	// unknown. They only inform; the issuer decides.
	RefreshLifetime time.Duration `json:"refresh_lifetime,omitempty"`
	RefreshIdle     time.Duration `json:"refresh_idle,omitempty"`
	// KeepSignedIn has the tray app refresh once before an inactivity
	// lifetime (RefreshIdle, or the expiry the issuer states) runs out, so
	// an unused profile stays signed in; an absolute lifetime still ends
	// it.
	KeepSignedIn bool `json:"keep_signed_in,omitempty"`
}

// Machine reports whether the profile gets its tokens with client
// credentials rather than from a sign-in.
func (p Profile) Machine() bool { return p.Grant == GrantClientCredentials }

// Prompts are the prompt values a profile may fix (OpenID Connect Core
// §3.1.2.1).
var Prompts = []string{"none", "login", "consent", "select_account"}

// LoginPrompt is the prompt a browser sign-in sends. An OpenID Connect
// issuer asked for offline_access gets "consent" (Core §11: without it, a
// conforming issuer drops offline_access and issues no refresh token),
// added to the profile's own prompt unless that is "none" (which cannot be
// combined, and is the user's explicit choice). An Auth0 domain gets the
// profile's prompt or none at all: Auth0 issues refresh tokens without
// consent, and a forced consent screen would only annoy.
func (p Profile) LoginPrompt() string {
	if p.Issuer == "" || !slices.Contains(LoginScope(p), "offline_access") {
		return p.Prompt
	}
	values := strings.Fields(p.Prompt)
	if slices.Contains(values, "none") || slices.Contains(values, "consent") {
		return p.Prompt
	}
	return strings.Join(append(values, "consent"), " ")
}

// reservedParams are the parameters tokentray sets itself, with the setting
// that controls each when there is one.
var reservedParams = map[string]string{
	"client_id": "client ID", "client_secret": "client secret", "client_assertion": "", "client_assertion_type": "",
	"grant_type": "", "refresh_token": "", "code": "", "code_verifier": "", "code_challenge": "", "code_challenge_method": "",
	"redirect_uri": "callback port", "response_type": "", "response_mode": "", "state": "", "nonce": "",
	"scope": "scope", "prompt": "prompt", "audience": "audience", "device_code": "", "token": "", "token_type_hint": "",
	// A request object's values win over the query's (OIDC Core §6.3.3,
	// RFC 9101): it could replace the redirect URI, the scope or PKCE.
	"request": "", "request_uri": "",
}

// ReservedParam reports whether key is a protocol field tokentray sets
// itself, and which profile setting controls it ("" when none does).
func ReservedParam(key string) (setting string, reserved bool) {
	setting, reserved = reservedParams[strings.ToLower(key)]
	return setting, reserved
}

// CallbackURL is the redirect URI of a browser sign-in on port.
func CallbackURL(port int) string { return fmt.Sprintf("http://127.0.0.1:%d/callback", port) }

// String describes the profile without its client secret.
func (p Profile) String() string {
	return fmt.Sprintf("profile %s (%s, client %s)", p.Name, p.Where(), p.ClientID)
}

// GoString keeps %#v from printing the secret.
func (p Profile) GoString() string { return p.String() }

// Where is the domain, issuer or token URL, whichever is set.
func (p Profile) Where() string {
	switch {
	case p.Domain != "":
		return p.Domain
	case p.Issuer != "":
		return p.Issuer
	default:
		return p.TokenURL
	}
}

// Method returns the authentication method, defaulting to AuthPost.
func (p Profile) Method() AuthMethod {
	if p.AuthMethod == "" {
		return AuthPost
	}
	return p.AuthMethod
}

// ValidateName checks a profile name: 1–64 of A–Z a–z 0–9 . _ -
func ValidateName(name string) error {
	ok := len(name) >= 1 && len(name) <= 64 && name != "." && name != ".."
	for i := 0; ok && i < len(name); i++ {
		c := name[i]
		ok = 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '.' || c == '_' || c == '-'
	}
	if !ok {
		return fmt.Errorf("invalid profile name %q: use 1 to 64 letters, digits, '.', '_' or '-'", name)
	}
	return nil
}

// NormalizeDomain turns what users paste ("https://acme.auth0.com/",
// "ACME.eu.auth0.com") into a bare host[:port]. Plain http is kept, as an
// "http://" prefix, only for a loopback host typed with it (local issuers);
// everything else is https.
func NormalizeDomain(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", errors.New("domain is empty")
	}
	if !strings.Contains(s, "://") {
		s = "https://" + s
	}
	u, err := url.Parse(s)
	if err != nil || u.Host == "" {
		return "", fmt.Errorf("invalid domain %q: expected a host name like acme.eu.auth0.com", s)
	}
	if u.Scheme != "https" && u.Scheme != "http" {
		return "", fmt.Errorf("invalid domain %q: expected a host name like acme.eu.auth0.com", s)
	}
	if p := strings.Trim(u.Path, "/"); p != "" || u.RawQuery != "" || u.User != nil {
		return "", fmt.Errorf("invalid domain %q: give only the host name, without a path", s)
	}
	host := strings.TrimSuffix(strings.ToLower(u.Host), ":")
	if u.Scheme == "http" {
		if !IsLoopback(host) {
			return "", fmt.Errorf("domain %q: %w: only https is allowed for non-loopback hosts", s, ErrInsecureURL)
		}
		return "http://" + host, nil
	}
	return host, nil
}

// domainBase is the base URL of a normalized domain.
func domainBase(domain string) string {
	if strings.HasPrefix(domain, "http://") {
		return domain
	}
	return "https://" + domain
}

// source names where p's tokens come from, for SameSource's comparison
// with a stored session.
func (p Profile) source() string {
	parts := []string{p.Domain, p.Issuer, p.TokenURL, p.ClientID}
	if p.Grant != "" {
		// Only then: sessions stored before there were grants keep their source.
		parts = append(parts, p.Grant)
	}
	return strings.Join(parts, " ")
}

// SameSource reports whether tokens issued for p are good for q: the same
// domain, issuer or token URL — scheme, host, port and path alike (two
// Keycloak realms share a host) — and the same client. Anything else means
// another issuer or client, which must never receive p's refresh token; a
// change of grant turns a sign-in's tokens into an application's or back.
// Both are compared as Normalize leaves them.
func (p Profile) SameSource(q Profile) bool {
	return p.Domain == q.Domain && p.Issuer == q.Issuer && p.TokenURL == q.TokenURL && p.ClientID == q.ClientID && p.Grant == q.Grant
}

// CheckURL parses raw and refuses anything but https, except for loopback
// hosts (127.0.0.1, ::1, localhost), where http is allowed for local issuers.
func CheckURL(what, raw string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return nil, fmt.Errorf("invalid %s %q: expected an https:// URL", what, raw)
	}
	if u.User != nil {
		return nil, fmt.Errorf("invalid %s %q: credentials in URLs are not allowed", what, u.Redacted())
	}
	if u.Scheme == "http" && !IsLoopback(u.Host) {
		return nil, fmt.Errorf("%s %q: %w: use https (http is allowed only for 127.0.0.1, ::1 and localhost)", what, raw, ErrInsecureURL)
	}
	return u, nil
}

// IsLoopback reports whether host (with or without a port) is a loopback
// address or "localhost".
func IsLoopback(host string) bool {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.Trim(host, "[]")
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Normalize validates p and returns it in canonical form: the domain bare,
// the issuer without a trailing slash, the method explicit.
func (p Profile) Normalize() (Profile, error) {
	if err := ValidateName(p.Name); err != nil {
		return p, err
	}
	set := 0
	for _, s := range []string{p.Domain, p.Issuer, p.TokenURL} {
		if strings.TrimSpace(s) != "" {
			set++
		}
	}
	if set != 1 {
		return p, errors.New("give exactly one of domain, issuer or token URL")
	}
	var err error
	switch {
	case p.Domain != "":
		if p.Domain, err = NormalizeDomain(p.Domain); err != nil {
			return p, err
		}
	case p.Issuer != "":
		if _, err = CheckURL("issuer", p.Issuer); err != nil {
			return p, err
		}
		// Kept as typed: Auth0's issuer ends in "/", most others do not, and
		// discovery accepts either (see Engine.Endpoints).
		p.Issuer = strings.TrimSpace(p.Issuer)
	default:
		if _, err = CheckURL("token URL", p.TokenURL); err != nil {
			return p, err
		}
		p.TokenURL = strings.TrimSpace(p.TokenURL)
	}
	p.ClientID = strings.TrimSpace(p.ClientID)
	if p.ClientID == "" {
		return p, errors.New("client ID is required")
	}
	if p.AuthMethod == "" && p.ClientSecret == "" {
		p.AuthMethod = AuthNone // no secret given: a public client
	}
	p.AuthMethod = p.Method()
	switch p.Grant = strings.TrimSpace(p.Grant); p.Grant {
	case "":
	case GrantClientCredentials:
		if p.AuthMethod == AuthNone {
			return p, errors.New("client credentials need the application's client secret: a public client cannot use them")
		}
	default:
		return p, fmt.Errorf("unknown grant %q: leave it empty for a sign-in, or use %s", p.Grant, GrantClientCredentials)
	}
	switch p.AuthMethod {
	case AuthPost, AuthBasic:
		if p.ClientSecret == "" {
			return p, &MissingSecretError{Method: p.AuthMethod}
		}
	case AuthNone:
		if p.ClientSecret != "" {
			return p, errors.New("auth method \"none\" is for public clients: remove the client secret or use post/basic")
		}
	default:
		return p, fmt.Errorf("unknown auth method %q: use post, basic or none", p.AuthMethod)
	}
	if p.RefreshLifetime < 0 || p.RefreshIdle < 0 {
		return p, errors.New("refresh token lifetimes cannot be negative (0: unknown)")
	}
	if p.Machine() && (p.RefreshLifetime != 0 || p.RefreshIdle != 0 || p.KeepSignedIn) {
		return p, errors.New("client credentials have no refresh token: leave its lifetimes and keep-signed-in unset")
	}
	p.Audience = strings.TrimSpace(p.Audience)
	p.Scope = strings.Join(strings.Fields(p.Scope), " ")
	p.CAFile = strings.TrimSpace(p.CAFile)
	if p.CallbackPort != 0 && (p.CallbackPort < 1024 || p.CallbackPort > 65535) {
		return p, fmt.Errorf("callback port %d is out of range: use 1024 to 65535, or 0 for any free port", p.CallbackPort)
	}
	values := strings.Fields(p.Prompt)
	for _, v := range values {
		if !slices.Contains(Prompts, v) {
			return p, fmt.Errorf("unknown prompt %q: use %s (or several, space-separated), or nothing for the default", v, strings.Join(Prompts, ", "))
		}
	}
	if slices.Contains(values, "none") && len(values) > 1 {
		return p, errors.New("prompt none cannot be combined with other values")
	}
	p.Prompt = strings.Join(values, " ")
	params := map[string]string{}
	for k, v := range p.Params {
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		if k == "" {
			return p, errors.New("a parameter needs a name: key=value")
		}
		if _, dup := params[k]; dup {
			return p, fmt.Errorf("parameter %q is given twice", k)
		}
		if strings.ContainsAny(k+v, "\r\n") {
			return p, fmt.Errorf("parameter %q: names and values cannot span lines", k)
		}
		if v == "" {
			continue // key= means no such parameter
		}
		if setting, reserved := ReservedParam(k); reserved {
			if setting != "" {
				return p, fmt.Errorf("parameter %q is set by tokentray itself: use the profile's %s setting", k, setting)
			}
			return p, fmt.Errorf("parameter %q is a protocol field tokentray sets itself and cannot be given", k)
		}
		params[k] = v
	}
	p.Params = params
	if len(params) == 0 {
		p.Params = nil
	}
	return p, nil
}
