package auth_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/tokentray/tokentray/auth"
	"github.com/tokentray/tokentray/auth/authtest"
)

// lifetimeIssuer answers refreshes with a fresh access token, rotating the
// refresh token, and states the refresh token's lifetime as extra (a
// member name and its value) for the answers that should.
func lifetimeIssuer(t *testing.T, extra func(n int) map[string]any) *httptest.Server {
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		i := int(n.Add(1))
		body := map[string]any{"access_token": "at-" + string(rune('0'+i)), "token_type": "Bearer", "expires_in": 60, "refresh_token": "rt-" + string(rune('0'+i))}
		for k, v := range extra(i) {
			body[k] = v
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(body)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// When the issuer states the refresh token's lifetime (Keycloak's
// refresh_expires_in, others' refresh_token_expires_in), the profile knows
// when a sign-in is due; an answer that says nothing keeps what was said.
func TestIssuerStatedRefreshLifetime(t *testing.T) {
	clock := authtest.NewClock(time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC))
	srv := lifetimeIssuer(t, func(n int) map[string]any {
		switch n {
		case 1:
			return map[string]any{"refresh_expires_in": 1800}
		case 3:
			return map[string]any{"refresh_token_expires_in": "86400"}
		case 4:
			return map[string]any{"refresh_expires_in": 0} // Keycloak: never
		}
		return nil
	})
	e, _ := hostileEngine(t, srv.URL+"/oauth/token", auth.WithClock(clock.Now))
	ctx := context.Background()
	require.True(t, e.Status(ctx, "h").SignInBy.IsZero(), "nothing known yet")

	_, err := e.Token(ctx, "h", auth.TokenOptions{})
	require.NoError(t, err)
	s := e.Status(ctx, "h")
	require.Equal(t, clock.Now().Add(30*time.Minute), s.SignInBy)
	require.Equal(t, s.SignInBy, s.KeepBy, "a stated expiry is one a refresh pushes back")

	clock.Advance(10 * time.Minute)
	_, err = e.Token(ctx, "h", auth.TokenOptions{ForceRefresh: true})
	require.NoError(t, err)
	require.Equal(t, s.SignInBy, e.Status(ctx, "h").SignInBy, "not stated this time: the last word holds")

	_, err = e.Token(ctx, "h", auth.TokenOptions{ForceRefresh: true})
	require.NoError(t, err)
	require.Equal(t, clock.Now().Add(24*time.Hour), e.Status(ctx, "h").SignInBy)

	_, err = e.Token(ctx, "h", auth.TokenOptions{ForceRefresh: true})
	require.NoError(t, err)
	require.True(t, e.Status(ctx, "h").SignInBy.IsZero(), "\"never\" clears what was said before")
}

// Auth0 states nothing: the profile's absolute and inactivity lifetimes
// tell, counted from the sign-in and from the last refresh.
func TestProfileRefreshLifetimes(t *testing.T) {
	t0 := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	clock := authtest.NewClock(t0)
	srv := lifetimeIssuer(t, func(int) map[string]any { return nil })
	st := authtest.NewStore()
	e := auth.NewEngine(st, authtest.NopLocker{}, auth.WithClock(clock.Now))
	ctx := context.Background()
	_, err := e.AddProfile(ctx, auth.Profile{Name: "dev", TokenURL: srv.URL + "/oauth/token", ClientID: "c", AuthMethod: auth.AuthNone,
		RefreshLifetime: 5 * 24 * time.Hour, RefreshIdle: 3 * 24 * time.Hour, KeepSignedIn: true})
	require.NoError(t, err)
	require.NoError(t, e.SetRefreshToken(ctx, "dev", "rt-0"))
	s := e.Status(ctx, "dev")
	require.Equal(t, t0.Add(3*24*time.Hour), s.SignInBy, "three idle days from the sign-in")
	require.Equal(t, t0.Add(3*24*time.Hour), s.KeepBy)

	clock.Advance(2 * 24 * time.Hour)
	_, err = e.Token(ctx, "dev", auth.TokenOptions{})
	require.NoError(t, err)
	s = e.Status(ctx, "dev")
	require.Equal(t, t0.Add(5*24*time.Hour), s.SignInBy, "the refresh pushed the idle limit past the absolute one")
	require.Equal(t, t0.Add(5*24*time.Hour), s.KeepBy, "idle: two days plus three")

	// Editing the profile keeps the refresh token's dates.
	p, err := e.Profile(ctx, "dev")
	require.NoError(t, err)
	p.Scope = "read:things"
	_, err = e.UpdateProfile(ctx, p)
	require.NoError(t, err)
	require.Equal(t, t0.Add(5*24*time.Hour), e.Status(ctx, "dev").SignInBy)

	_, err = auth.Profile{Name: "x", TokenURL: srv.URL, ClientID: "c", AuthMethod: auth.AuthNone, RefreshIdle: -time.Hour}.Normalize()
	require.ErrorContains(t, err, "cannot be negative")
}

// A caller of the ID token gets a fresh one: a cached set whose ID token
// runs out is refreshed even while its access token is still good.
func TestIDTokenCallersGetAFreshOne(t *testing.T) {
	t0 := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	clock := authtest.NewClock(t0)
	var requests atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		id := signed(t, map[string]any{"iss": "https://issuer.example.com/", "sub": "u", "exp": clock.Now().Add(10 * time.Minute).Unix()})
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"access_token": "at", "token_type": "Bearer", "expires_in": 3600, "id_token": id})
	}))
	defer srv.Close()
	e, _ := hostileEngine(t, srv.URL+"/oauth/token", auth.WithClock(clock.Now))
	ctx := context.Background()
	first, err := e.Token(ctx, "h", auth.TokenOptions{IDToken: true})
	require.NoError(t, err)
	require.EqualValues(t, 1, requests.Load())

	clock.Advance(9*time.Minute + 30*time.Second) // the ID token has 30 s left, the access token 50 min
	_, err = e.Token(ctx, "h", auth.TokenOptions{})
	require.NoError(t, err)
	require.EqualValues(t, 1, requests.Load(), "an access token caller is served the cache")
	fresh, err := e.Token(ctx, "h", auth.TokenOptions{IDToken: true})
	require.NoError(t, err)
	require.EqualValues(t, 2, requests.Load(), "an ID token caller gets a refresh")
	require.NotEqual(t, first.IDToken, fresh.IDToken)
	require.True(t, auth.Decode(fresh.IDToken).Expiry().After(clock.Now().Add(time.Minute)))
}
