package auth

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
)

// Status is what front ends show for a profile without touching the network.
type Status struct {
	Profile         Profile
	Token           Token // cached token; zero when none
	HasRefreshToken bool
	Err             error // the profile could not be read (broken, keychain locked, ...)
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
	if s.Token, err = e.cached(ctx, name); err != nil {
		s.Err = err
		return s
	}
	if s.Token.ValidFor(e.now(), 0) {
		// Tokens are cached only next to a refresh token (signing out or
		// storing a new one drops the cache), so one keychain read less.
		s.HasRefreshToken = true
		return s
	}
	rt, err := e.store.LoadSecret(ctx, name, SecretRefreshToken)
	switch {
	case err == nil:
		s.HasRefreshToken = rt != ""
	case !errors.Is(err, ErrNotFound):
		s.Err = err
	}
	return s
}

// Profile returns the stored profile.
func (e *Engine) Profile(ctx context.Context, name string) (Profile, error) {
	p, err := e.store.LoadProfile(ctx, name)
	if err != nil {
		return Profile{}, fmt.Errorf("profile %s: %w", name, err)
	}
	return p, nil
}

// Names returns the profile names, sorted.
func (e *Engine) Names(ctx context.Context) ([]string, error) {
	names, err := e.store.ListProfiles(ctx)
	sort.Strings(names)
	return names, err
}

// AddProfile validates and stores a new profile.
func (e *Engine) AddProfile(ctx context.Context, p Profile) (Profile, error) {
	p, err := p.Normalize()
	if err != nil {
		return p, err
	}
	names, err := e.store.ListProfiles(ctx)
	if err != nil {
		return p, fmt.Errorf("add %s: %w", p.Name, err)
	}
	for _, n := range names {
		if n == p.Name {
			return p, fmt.Errorf("add %s: %w: choose another name or use `tokentray profile edit %s`", p.Name, ErrExists, p.Name)
		}
	}
	if err := e.store.SaveProfile(ctx, p); err != nil {
		return p, fmt.Errorf("add %s: %w", p.Name, err)
	}
	e.changed(p.Name)
	return p, nil
}

// UpdateProfile validates and stores changes to an existing profile. When
// the tokens would come from elsewhere (another host or client) the stored
// refresh token is dropped too: it belongs to the old issuer and must never
// be sent to the new one. Other changes that shape tokens (endpoint form,
// audience, scope) drop only the cached access token.
func (e *Engine) UpdateProfile(ctx context.Context, p Profile) (Profile, error) {
	p, err := p.Normalize()
	if err != nil {
		return p, err
	}
	old, err := e.store.LoadProfile(ctx, p.Name)
	if err != nil && !errors.Is(err, ErrBrokenProfile) {
		return p, fmt.Errorf("edit %s: %w", p.Name, err)
	}
	err = e.withLock(ctx, p.Name, func() error {
		if err := e.store.SaveProfile(ctx, p); err != nil {
			return err
		}
		var drop []SecretKind
		if old.Host() != p.Host() || old.ClientID != p.ClientID {
			drop = append(drop, SecretRefreshToken, SecretTokenCache)
		} else if old.Where() != p.Where() || old.Audience != p.Audience || old.Scope != p.Scope {
			drop = append(drop, SecretTokenCache)
		}
		for _, k := range drop {
			if err := e.store.DeleteSecret(ctx, p.Name, k); err != nil {
				return fmt.Errorf("drop the old tokens: %w", err)
			}
		}
		return nil
	})
	if err != nil {
		return p, fmt.Errorf("edit %s: %w", p.Name, err)
	}
	e.changed(p.Name)
	return p, nil
}

// RemoveProfile deletes a profile and everything stored for it.
func (e *Engine) RemoveProfile(ctx context.Context, name string) error {
	if err := e.store.DeleteProfile(ctx, name); err != nil {
		return fmt.Errorf("remove %s: %w", name, err)
	}
	e.changed(name)
	return nil
}

// SetRefreshToken stores a refresh token obtained elsewhere (for example
// pasted from Auth0's dashboard or another tool) and drops the cached
// access token, which belongs to the previous session.
func (e *Engine) SetRefreshToken(ctx context.Context, name, refreshToken string) error {
	refreshToken = strings.TrimSpace(refreshToken)
	if refreshToken == "" {
		return errors.New("the refresh token is empty")
	}
	if _, err := e.store.LoadProfile(ctx, name); err != nil {
		return fmt.Errorf("sign in %s: %w", name, err)
	}
	err := e.withLock(ctx, name, func() error {
		if err := e.store.SaveSecret(ctx, name, SecretRefreshToken, refreshToken); err != nil {
			return err
		}
		if err := e.store.DeleteSecret(ctx, name, SecretTokenCache); err != nil {
			return fmt.Errorf("drop the old access token: %w", err)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("sign in %s: %w", name, err)
	}
	e.changed(name)
	return nil
}
