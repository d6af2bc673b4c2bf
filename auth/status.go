package auth

import (
	"context"
	"fmt"
	"sort"
	"time"
)

// Status is what front ends show for a profile without touching the network.
type Status struct {
	Profile         Profile
	Token           Token // cached token; zero when none
	HasRefreshToken bool
	// SignInBy is when a new sign-in will be needed, from the issuer's word
	// and the profile's lifetimes (see Profile.RefreshLifetime); KeepBy is
	// when the refresh token lapses unused — the inactivity lifetime, else
	// the issuer's stated expiry — which a refresh before then pushes back
	// (Profile.KeepSignedIn). Zero when unknown.
	SignInBy, KeepBy time.Time
	Err              error // the profile could not be read (broken, keychain locked, ...)
}

// Name is the profile's name.
func (s Status) Name() string { return s.Profile.Name }

// Statuses returns every profile's status, sorted by name. A broken
// profile is listed with Err set rather than failing the listing.
func (e *Engine) Statuses(ctx context.Context) ([]Status, error) {
	names, err := e.store.ListProfiles(ctx)
	if err != nil {
		return nil, fmt.Errorf("list profiles: %w", err)
	}
	sort.Strings(names)
	out := make([]Status, 0, len(names))
	for _, n := range names {
		out = append(out, e.Status(ctx, n))
	}
	return out, nil
}

// Status returns one profile's status.
func (e *Engine) Status(ctx context.Context, name string) Status {
	s := Status{Profile: Profile{Name: name}}
	p, err := e.store.LoadProfile(ctx, name)
	if err != nil {
		s.Err = err
		return s
	}
	s.Profile = p
	stored, legacy, err := e.loadSession(ctx, name)
	if err != nil {
		s.Err = err
		return s
	}
	s.Token = stored.Token
	if p.Machine() {
		return s // no refresh token: the client credentials get the next token
	}
	if legacy && stored.RefreshToken == "" && s.Token.ValidFor(e.now(), 0) {
		// A profile stored by an earlier tokentray: its tokens were cached
		// only next to a refresh token, so one read less.
		s.HasRefreshToken = true
		return s
	}
	if stored, _, err = e.withRefreshToken(ctx, name, stored, legacy); err != nil {
		s.Err = err
		return s
	}
	// A spent one is as good as none: it is never sent again.
	spent, _ := e.journal.Spent(name, stored.RefreshToken)
	s.HasRefreshToken = stored.RefreshToken != "" && !spent
	if s.HasRefreshToken {
		s.SignInBy, s.KeepBy = stored.signInBy(p)
		if s.KeepBy.IsZero() {
			s.KeepBy = stored.RefreshExpiresAt
		}
	}
	return s
}
