package auth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

var (
	// ErrRevocation: the issuer did not confirm the refresh token's revocation.
	ErrRevocation = errors.New("revocation failed")
	// ErrNoRevocationEndpoint: the issuer offers no way to revoke (wrapped
	// in ErrRevocation).
	ErrNoRevocationEndpoint = errors.New("the issuer has no revocation endpoint")
)

// LogoutOptions are the choices of one Engine.Logout call.
type LogoutOptions struct {
	// EvenIfNotRevoked removes the tokens even when the issuer does not
	// confirm their revocation (the CLI's --local).
	EvenIfNotRevoked bool
}

// Logout revokes the profile's refresh token at the issuer's revocation
// endpoint (RFC 7009; Auth0's /oauth/revoke) and then deletes the profile's
// tokens from the store; the profile itself stays. When revocation fails the
// tokens are kept and an error wrapping ErrRevocation is returned, unless
// opts.EvenIfNotRevoked is set: then they are removed anyway and the
// revocation error is still returned (wrapping ErrRevocation) so the caller
// can tell the user.
func (e *Engine) Logout(ctx context.Context, name string, opts LogoutOptions) error {
	var revokeErr error
	err := e.withLock(ctx, name, func() error {
		// Read under the lock: the profile may have moved to another issuer
		// while we waited, and its token must only go to its own.
		p, err := e.store.LoadProfile(ctx, name)
		if err != nil {
			return err
		}
		rt, _, err := e.refreshToken(ctx, name)
		if err != nil {
			return err
		}
		// A spent refresh token is never sent again, not even to revoke it:
		// the issuer has replaced it, so deleting it locally is all there is.
		// An unreadable record counts as spent: better not to revoke than to
		// present a spent token.
		if rt != "" && e.checkSpent(name, rt) == nil {
			op, err := e.begin(name, OpSignOut)
			if err != nil {
				return err
			}
			defer op.end()
			// Seen through once sent: a revoked token left stored would only
			// fail the next refresh.
			if revokeErr = e.revoke(context.WithoutCancel(ctx), p, rt); revokeErr != nil && !opts.EvenIfNotRevoked {
				return fmt.Errorf("%w; the tokens were kept", revokeErr)
			}
		}
		dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), e.commitTimeout)
		defer cancel()
		return e.dropSession(dctx, name)
	})
	if err != nil {
		return fmt.Errorf("sign out %s: %w", name, err)
	}
	e.changed(name)
	if revokeErr != nil {
		return fmt.Errorf("signed out %s locally, but: %w", name, revokeErr)
	}
	return nil
}

// revoke posts token_type_hint=refresh_token to the revocation endpoint with
// the profile's client authentication. Redirects are refused as for refreshes.
func (e *Engine) revoke(ctx context.Context, p Profile, rt string) error {
	ep, err := e.Endpoints(ctx, p)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrRevocation, err)
	}
	if ep.RevokeURL == "" {
		return fmt.Errorf("%w: %w", ErrRevocation, ErrNoRevocationEndpoint)
	}
	client, err := e.httpClient(p)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrRevocation, err)
	}
	form := url.Values{"token": {rt}, "token_type_hint": {"refresh_token"}, "client_id": {p.ClientID}}
	if p.Method() == AuthPost {
		form.Set("client_secret", p.ClientSecret)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, ep.RevokeURL, strings.NewReader(form.Encode()))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if p.Method() == AuthBasic {
		req.SetBasicAuth(url.QueryEscape(p.ClientID), url.QueryEscape(p.ClientSecret))
	}
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrRevocation, networkError(err))
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode == http.StatusOK {
		return nil
	}
	var oe struct {
		Code        string `json:"error"`
		Description string `json:"error_description"`
	}
	if json.Unmarshal(body, &oe) == nil && oe.Code != "" {
		return fmt.Errorf("%w: %w", ErrRevocation, &OAuthError{Status: resp.StatusCode, Code: oe.Code, Description: redact(oe.Description, []string{rt, p.ClientSecret}), Grant: GrantRevocation})
	}
	return fmt.Errorf("%w: %w", ErrRevocation, &ResponseError{Status: resp.StatusCode, ContentType: resp.Header.Get("Content-Type"), Problem: "unexpected answer", Excerpt: excerpt(body, []string{rt, p.ClientSecret})})
}
