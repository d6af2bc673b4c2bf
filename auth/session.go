package auth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// session is what the keychain holds for a signed-in profile (as JSON under
// SecretSession): the refresh token, and the last token set it brought.
type session struct {
	RefreshToken string `json:"refresh_token,omitempty"`
	Token        Token  `json:"token,omitzero"`
	// Source is where the tokens come from (Profile.source): a refresh
	// sends the refresh token only to the issuer and client it was issued
	// by, even if something outside this version of tokentray (an older
	// one still running) changed the profile without dropping this item.
	Source string `json:"source,omitempty"`
	// LegacyPending: the items an earlier tokentray kept the tokens in may
	// still exist (removing them failed); the next write tries again.
	LegacyPending bool `json:"legacy_pending,omitempty"`
	// SignedInAt is when the refresh token's line began: the sign-in, or
	// the refresh token given by hand. Rotations keep it, since an
	// absolute lifetime (Auth0's) counts from there. Zero for sessions
	// stored before tokentray kept it.
	SignedInAt time.Time `json:"signed_in_at,omitzero"`
	// RefreshExpiresAt is when the issuer last said the refresh token
	// expires (see refreshExpiry); zero when it never said.
	RefreshExpiresAt time.Time `json:"refresh_expires_at,omitzero"`
	// RefreshedAt is the refresh token's last use, from which an
	// inactivity lifetime counts; zero before the first refresh.
	RefreshedAt time.Time `json:"refreshed_at,omitzero"`
}

// signInBy is when this session will need a new sign-in, as far as p's
// lifetimes and the issuer's word tell: the earliest of the issuer's stated
// expiry of the refresh token, the sign-in plus p.RefreshLifetime, and the
// last use (the last refresh, else the sign-in) plus p.RefreshIdle. idle is
// the last of these alone; both are zero when unknown.
func (s session) signInBy(p Profile) (by, idle time.Time) {
	if s.RefreshToken == "" {
		return time.Time{}, time.Time{}
	}
	earliest := func(ts ...time.Time) time.Time {
		var m time.Time
		for _, t := range ts {
			if !t.IsZero() && (m.IsZero() || t.Before(m)) {
				m = t
			}
		}
		return m
	}
	var absolute time.Time
	if p.RefreshLifetime > 0 && !s.SignedInAt.IsZero() {
		absolute = s.SignedInAt.Add(p.RefreshLifetime)
	}
	last := s.RefreshedAt
	if last.IsZero() || s.SignedInAt.After(last) {
		last = s.SignedInAt
	}
	if p.RefreshIdle > 0 && !last.IsZero() {
		idle = last.Add(p.RefreshIdle)
	}
	return earliest(s.RefreshExpiresAt, absolute, idle), idle
}

// loadSession reads the profile's session: one keychain item, or — for a
// profile stored by an earlier tokentray — the two items that held it then
// (legacy is true). Either way, cleanup(s, legacy) says whether old items
// may be left for the next saveSession to remove. Nothing stored is
// the zero session. A damaged item counts as absent: it costs a sign-in or
// a refresh, never a panic or a half-read token.
func (e *Engine) loadSession(ctx context.Context, name string) (s session, legacy bool, err error) {
	raw, err := e.store.LoadSecret(ctx, name, SecretSession)
	switch {
	case err == nil:
		if json.Unmarshal([]byte(raw), &s) != nil {
			// Damaged: sign in again; old items, if any are left, are
			// older still and not used, but the next write removes them.
			return session{LegacyPending: true}, false, nil
		}
		return s, false, nil
	case errors.Is(err, ErrDamaged):
		return session{LegacyPending: true}, false, nil
	case !errors.Is(err, ErrNotFound):
		return session{}, false, fmt.Errorf("read the session of %s: %w", name, err)
	}
	raw, err = e.store.LoadSecret(ctx, name, SecretTokenCache)
	switch {
	case err == nil:
		legacy = true
		_ = json.Unmarshal([]byte(raw), &s.Token) // damaged: no cached token
	case !errors.Is(err, ErrNotFound):
		return session{}, false, fmt.Errorf("read cached token of %s: %w", name, err)
	}
	// A valid cached token was only ever stored next to a refresh token:
	// one read less on the command line's hot path.
	if s.Token.ValidFor(e.now(), e.Margin()) {
		return s, legacy, nil
	}
	return e.loadLegacyRefresh(ctx, name, s, legacy)
}

func (e *Engine) loadLegacyRefresh(ctx context.Context, name string, s session, legacy bool) (session, bool, error) {
	rt, err := e.store.LoadSecret(ctx, name, SecretRefreshToken)
	switch {
	case err == nil:
		s.RefreshToken, legacy = rt, true
	case !errors.Is(err, ErrNotFound):
		return session{}, false, fmt.Errorf("read the refresh token of %s: %w", name, err)
	}
	return s, legacy, nil
}

// cleanup says whether the items an earlier tokentray kept a session in
// may still exist.
func cleanup(s session, legacy bool) bool { return legacy || s.LegacyPending }

// withRefreshToken completes a session loadSession returned without its
// refresh token (a legacy profile whose valid cache made the read of its
// refresh:NAME item unnecessary); any other session is returned as it is.
func (e *Engine) withRefreshToken(ctx context.Context, name string, s session, legacy bool) (session, bool, error) {
	if !legacy || s.RefreshToken != "" {
		return s, legacy, nil
	}
	return e.loadLegacyRefresh(ctx, name, s, legacy)
}

// refreshToken is the profile's stored refresh token, loaded in full, and
// whether old items may be left (cleanup).
func (e *Engine) refreshToken(ctx context.Context, name string) (string, bool, error) {
	s, legacy, err := e.loadSession(ctx, name)
	if err == nil {
		s, legacy, err = e.withRefreshToken(ctx, name, s, legacy)
	}
	return s.RefreshToken, cleanup(s, legacy), err
}

// saveSession writes the profile's session as one keychain item. When the
// items an earlier tokentray kept it in may exist (legacy), the write says
// so (LegacyPending) and they are removed after it; only once they are
// gone is the mark cleared — a second write, once per profile — so that a
// failed removal is tried again by the next write, and a spent refresh
// token can never come back from one of them.
func (e *Engine) saveSession(ctx context.Context, name string, s session, legacy bool) error {
	s.LegacyPending = legacy
	if err := e.writeSession(ctx, name, s); err != nil {
		return err
	}
	if legacy && e.dropLegacy(ctx, name) == nil {
		s.LegacyPending = false
		_ = e.writeSession(ctx, name, s) // failing leaves the mark: one more try next time
	}
	return nil
}

func (e *Engine) writeSession(ctx context.Context, name string, s session) error {
	b, err := json.Marshal(s)
	if err != nil {
		return err
	}
	if err := e.store.SaveSecret(ctx, name, SecretSession, string(b)); err != nil {
		return err
	}
	if e.fastReads {
		e.fastPut(name, s) // every write holds the profile's lock
	}
	return nil
}

func (e *Engine) dropLegacy(ctx context.Context, name string) error {
	for _, k := range []SecretKind{SecretRefreshToken, SecretTokenCache} {
		if err := e.store.DeleteSecret(ctx, name, k); err != nil {
			return err
		}
	}
	return nil
}

// dropSession removes the profile's refresh token and cached tokens, in
// whichever form they are stored: the old items first and the session item
// last, so that a failure part way leaves the session item standing (and
// read) rather than an old item alone.
func (e *Engine) dropSession(ctx context.Context, name string) error {
	if err := e.dropLegacy(ctx, name); err != nil {
		return err
	}
	return e.store.DeleteSecret(ctx, name, SecretSession)
}

// dropCache forgets the cached token set and keeps the refresh token, for a
// profile whose tokens still come from source.
func (e *Engine) dropCache(ctx context.Context, name, source string) error {
	s, legacy, err := e.loadSession(ctx, name)
	if err == nil {
		s, legacy, err = e.withRefreshToken(ctx, name, s, legacy)
	}
	if err != nil {
		return err
	}
	if s.RefreshToken == "" {
		return e.dropSession(ctx, name)
	}
	// The refresh token's own dates stay with it.
	kept := session{RefreshToken: s.RefreshToken, Source: source, SignedInAt: s.SignedInAt, RefreshExpiresAt: s.RefreshExpiresAt, RefreshedAt: s.RefreshedAt}
	return e.saveSession(ctx, name, kept, cleanup(s, legacy))
}
