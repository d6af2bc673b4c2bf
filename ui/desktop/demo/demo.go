package demo

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/tokentray/tokentray/auth"
)

// Service is the keychain service the demo's profiles live under.
const Service = "tokentray-demo"

// Hint is shown above the demo's profile list.
const Hint = "Demo: these profiles get short-lived tokens from a built-in issuer on 127.0.0.1 (refresh tokens rotate). Your real profiles are not touched."

// Profile is one demo profile.
type Profile struct {
	Name     string
	TTL      time.Duration // lifetime of its access tokens
	Scope    string
	Audience string
	SignedIn bool // false: the stored refresh token is unknown to the issuer (sign in needed)
}

// Profiles are the demo's profiles: lifetimes chosen so that countdowns
// visibly run down, turn orange and expire within minutes.
var Profiles = []Profile{
	{Name: "acme-dev", TTL: 10 * time.Minute, Scope: "openid profile email read:orders write:orders", Audience: "https://api.acme.example", SignedIn: true},
	{Name: "acme-prod", TTL: time.Hour, Scope: "openid profile read:orders", Audience: "https://api.acme.example", SignedIn: true},
	{Name: "billing-staging", TTL: 4 * time.Minute, Scope: "openid read:invoices", Audience: "https://billing.example", SignedIn: true},
	{Name: "ci-robot", TTL: 90 * time.Second, Scope: "deploy:apps", Audience: "https://deploy.example", SignedIn: true},
	{Name: "old-laptop", TTL: time.Hour, Scope: "openid profile", Audience: "https://api.acme.example"},
}

// Seed writes the demo profiles into the engine's store, pointing at iss,
// each signed in with a fresh refresh token and holding a first access
// token. Profiles left from an earlier demo run are replaced.
func Seed(ctx context.Context, e *auth.Engine, iss *Issuer) error {
	for _, d := range Profiles {
		p := auth.Profile{
			Name:       d.Name,
			TokenURL:   iss.URL + "/oauth/token",
			ClientID:   ClientID,
			AuthMethod: auth.AuthNone,
			Audience:   d.Audience,
			Scope:      d.Scope,
		}
		if err := e.RemoveProfile(ctx, d.Name); err != nil && !errors.Is(err, auth.ErrNotFound) {
			return fmt.Errorf("demo: %w", err)
		}
		if _, err := e.AddProfile(ctx, p); err != nil {
			return fmt.Errorf("demo: %w", err)
		}
		rt := "revoked-" + d.Name // not known to the issuer
		if d.SignedIn {
			rt = iss.Grant("demo-user", d.Scope, d.Audience, d.TTL)
		}
		if err := e.SetRefreshToken(ctx, d.Name, rt); err != nil {
			return fmt.Errorf("demo: %w", err)
		}
		if d.SignedIn {
			// Start with tokens, so the countdowns run from the first look.
			if _, err := e.Token(ctx, d.Name, false); err != nil {
				return fmt.Errorf("demo: %w", err)
			}
		}
	}
	return nil
}
