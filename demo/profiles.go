package demo

import (
	"context"
	"fmt"
	"time"

	"github.com/tokentray/tokentray/auth"
)

// Service is the keychain service of the demo's profiles: the demo never
// touches the user's real profiles.
const Service = "tokentray-demo"

// seeds are the first demo profiles: lifetimes chosen so that the states of
// the tray and window show within minutes.
var seeds = []struct {
	name  string
	ttl   time.Duration
	scope string
	login bool
}{
	{"dev", 2 * time.Minute, "openid read:things", true},
	{"staging", 10 * time.Minute, "openid read:things write:things", true},
	{"prod-api", time.Hour, "read:things", true},
	{"ci-bot", 90 * time.Second, "read:things write:things admin:things", true},
	{"new-teammate", time.Hour, "openid read:things", false}, // never signed in
}

// Setup replaces every profile under the engine's store (which must be the
// demo's own, see Service) with n demo profiles served by is, signed in
// where the seed says so. n below the number of seeds is raised to it.
func Setup(ctx context.Context, e *auth.Engine, is *Issuer, n int) error {
	names, err := e.Names(ctx)
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	for _, name := range names {
		if err := e.RemoveProfile(ctx, name); err != nil {
			return fmt.Errorf("demo: %w", err)
		}
	}
	for i := range max(n, len(seeds)) {
		s := seeds[i%len(seeds)]
		name := s.name
		if i >= len(seeds) {
			name = fmt.Sprintf("%s-%02d", s.name, i+1)
			s.ttl += time.Duration(i) * 17 * time.Second // spread the countdowns
		}
		p := auth.Profile{Name: name, Issuer: is.URL, ClientID: ClientID, AuthMethod: auth.AuthNone, Audience: Audience, Scope: s.scope}
		if _, err := e.AddProfile(ctx, p); err != nil {
			return fmt.Errorf("demo: %w", err)
		}
		if !s.login {
			continue
		}
		if err := e.SetRefreshToken(ctx, name, is.Grant("demo-user-"+name, s.scope, s.ttl)); err != nil {
			return fmt.Errorf("demo: %w", err)
		}
	}
	return nil
}
