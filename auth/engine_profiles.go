package auth

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
)

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

// AddProfile validates and stores a new profile. It holds the profile's
// lock and the list's: a refresh of a removed profile of the same name may
// still be finishing, and other processes may be adding profiles too. Items
// of that name left behind (by something outside tokentray, or an
// interrupted removal) are deleted first, so the new profile never starts
// with another one's tokens.
func (e *Engine) AddProfile(ctx context.Context, p Profile) (Profile, error) {
	p, err := p.Normalize()
	if err != nil {
		return p, err
	}
	err = e.withLock(ctx, p.Name, func() error {
		return e.withIndexLock(ctx, func() error {
			names, err := e.store.ListProfiles(ctx)
			if err != nil {
				return err
			}
			if slices.Contains(names, p.Name) {
				return ErrExists
			}
			if err := e.store.DeleteProfile(ctx, p.Name); err != nil && !errors.Is(err, ErrNotFound) {
				return fmt.Errorf("remove what an earlier %s left in the keychain: %w", p.Name, err)
			}
			return e.store.SaveProfile(ctx, p)
		})
	})
	if err != nil {
		return p, fmt.Errorf("add %s: %w", p.Name, err)
	}
	e.changed(p.Name)
	return p, nil
}

// UpdateProfile validates and stores changes to an existing profile. When
// the tokens would come from elsewhere (see Profile.SameSource) the stored
// refresh token is dropped too: it belongs to the old issuer or client and
// must never be sent to the new one. Other changes that shape tokens
// (endpoint form, audience, scope, extra parameters such as a resource or
// an organization) drop only the cached access token.
func (e *Engine) UpdateProfile(ctx context.Context, p Profile) (Profile, error) {
	p, err := p.Normalize()
	if err != nil {
		return p, err
	}
	err = e.withLock(ctx, p.Name, func() error {
		// Read under the lock: what the tokens were issued for is what is
		// stored now, not what the caller saw earlier.
		old, err := e.store.LoadProfile(ctx, p.Name)
		if err != nil && !errors.Is(err, ErrBrokenProfile) {
			return err
		}
		// Tokens first: a failure after them leaves the old record with no
		// tokens (sign in again), never the new record with the old tokens.
		switch {
		case !old.SameSource(p):
			if err := e.dropSession(ctx, p.Name); err != nil {
				return fmt.Errorf("drop the old tokens: %w", err)
			}
		case old.Where() != p.Where() || old.Audience != p.Audience || old.Scope != p.Scope || !maps.Equal(old.Params, p.Params):
			if err := e.dropCache(ctx, p.Name, p.source()); err != nil {
				return fmt.Errorf("drop the old access token: %w", err)
			}
		}
		return e.withIndexLock(ctx, func() error { return e.store.SaveProfile(ctx, p) })
	})
	if err != nil {
		return p, fmt.Errorf("edit %s: %w", p.Name, err)
	}
	e.changed(p.Name)
	return p, nil
}

// RemoveProfile deletes a profile and everything stored for it, under the
// profile's lock: a refresh or sign-in of it that is finishing writes its
// tokens first and they go with the rest, rather than after the removal,
// where a new profile of the same name would find them.
func (e *Engine) RemoveProfile(ctx context.Context, name string) error {
	err := e.withLock(ctx, name, func() error {
		return e.withIndexLock(ctx, func() error { return e.store.DeleteProfile(ctx, name) })
	})
	if err != nil {
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
	err := e.withLock(ctx, name, func() error {
		p, err := e.store.LoadProfile(ctx, name)
		if err != nil {
			return err
		}
		if p.Machine() {
			return ErrNoSignIn
		}
		// No cached token: it belongs to the previous session.
		return e.saveSession(ctx, name, session{RefreshToken: refreshToken, Source: p.source(), SignedInAt: e.now()}, true)
	})
	if err != nil {
		return fmt.Errorf("sign in %s: %w", name, err)
	}
	e.changed(name)
	return nil
}
