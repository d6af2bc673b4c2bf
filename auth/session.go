package auth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
)

// session is what the keychain holds for a signed-in profile (as JSON under
// SecretSession): the refresh token, and the last token set it brought.
type session struct {
	RefreshToken string `json:"refresh_token,omitempty"`
	Token        Token  `json:"token,omitzero"`
}

// loadSession reads the profile's session: one keychain item, or — for a
// profile stored by an earlier tokentray — the two items that held it then
// (legacy is true; the next saveSession removes them). Nothing stored is
// the zero session. A damaged item counts as absent: it costs a sign-in or
// a refresh, never a panic or a half-read token.
func (e *Engine) loadSession(ctx context.Context, name string) (s session, legacy bool, err error) {
	raw, err := e.store.LoadSecret(ctx, name, SecretSession)
	switch {
	case err == nil:
		if json.Unmarshal([]byte(raw), &s) != nil {
			return session{}, false, nil
		}
		return s, false, nil
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

// refreshToken is the profile's stored refresh token, loaded in full
// (a legacy profile's cache alone does not say).
func (e *Engine) refreshToken(ctx context.Context, name string) (string, bool, error) {
	s, legacy, err := e.loadSession(ctx, name)
	if err != nil || s.RefreshToken != "" || !legacy {
		return s.RefreshToken, legacy, err
	}
	s, legacy, err = e.loadLegacyRefresh(ctx, name, s, legacy)
	return s.RefreshToken, legacy, err
}

// saveSession writes the profile's session as one keychain item, then
// removes the items an earlier tokentray kept it in (legacy), best effort:
// once the session item exists they are never read again.
func (e *Engine) saveSession(ctx context.Context, name string, s session, legacy bool) error {
	b, err := json.Marshal(s)
	if err != nil {
		return err
	}
	if err := e.store.SaveSecret(ctx, name, SecretSession, string(b)); err != nil {
		return err
	}
	if legacy {
		e.dropLegacy(ctx, name)
	}
	return nil
}

func (e *Engine) dropLegacy(ctx context.Context, name string) {
	for _, k := range []SecretKind{SecretRefreshToken, SecretTokenCache} {
		_ = e.store.DeleteSecret(ctx, name, k)
	}
}

// dropSession removes the profile's refresh token and cached tokens, in
// whichever form they are stored.
func (e *Engine) dropSession(ctx context.Context, name string) error {
	for _, k := range []SecretKind{SecretSession, SecretRefreshToken, SecretTokenCache} {
		if err := e.store.DeleteSecret(ctx, name, k); err != nil {
			return err
		}
	}
	return nil
}

// dropCache forgets the cached token set and keeps the refresh token.
func (e *Engine) dropCache(ctx context.Context, name string) error {
	rt, legacy, err := e.refreshToken(ctx, name)
	if err != nil {
		return err
	}
	if rt == "" {
		return e.dropSession(ctx, name)
	}
	return e.saveSession(ctx, name, session{RefreshToken: rt}, legacy)
}
