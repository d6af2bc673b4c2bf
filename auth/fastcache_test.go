package auth_test

import (
	"context"
	"encoding/json"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/tokentray/tokentray/auth"
	"github.com/tokentray/tokentray/auth/authtest"
	"github.com/tokentray/tokentray/testsupport/testserver"
)

// cachedAccessToken is the access token the quick copy c holds for name.
func cachedAccessToken(t *testing.T, c *authtest.Cache, name string) string {
	t.Helper()
	raw, ok := c.Get(name)
	if !ok {
		return ""
	}
	var v struct {
		Token auth.Token `json:"token"`
	}
	require.NoError(t, json.Unmarshal([]byte(raw), &v))
	return v.Token.AccessToken
}

// quickFixture is a signed-in dev whose engine keeps its quick copy in the
// returned cache.
func quickFixture(t *testing.T, opts ...auth.Option) (fixture, *authtest.Cache) {
	t.Helper()
	cache := authtest.NewCache()
	opts = append([]auth.Option{auth.WithTokenCache(cache)}, opts...)
	return newFixture(t, sharedServer(t), auth.Profile{}, "openid offline_access", "", opts...), cache
}

func TestQuickCopyServesWithoutTheKeychain(t *testing.T) {
	f, cache := quickFixture(t)
	ctx := context.Background()
	tok, err := f.engine.Token(ctx, "dev", auth.TokenOptions{})
	require.NoError(t, err)
	require.Equal(t, tok.AccessToken, cachedAccessToken(t, cache, "dev"), "the refresh's token set is copied")
	raw, _ := cache.Get("dev")
	require.NotContains(t, raw, f.refreshToken(t), "the refresh token never leaves the keychain")
	require.LessOrEqual(t, cache.TTL("dev"), auth.FastCacheFor)

	// A keychain that fails every call: the copy still serves.
	f.store.SetErr(errors.New("the keychain is gone"))
	got, err := f.engine.Token(ctx, "dev", auth.TokenOptions{})
	require.NoError(t, err)
	require.Equal(t, tok.AccessToken, got.AccessToken)
	f.store.SetErr(nil)

	// A forced refresh replaces the copy with the new token set.
	fresh, err := f.engine.Token(ctx, "dev", auth.TokenOptions{ForceRefresh: true})
	require.NoError(t, err)
	require.NotEqual(t, tok.AccessToken, fresh.AccessToken)
	require.Equal(t, fresh.AccessToken, cachedAccessToken(t, cache, "dev"))
}

// TestQuickTokenIsTheCopyAlone: QuickToken answers from the copy, touching
// nothing else, and leaves to Token what the copy cannot answer.
func TestQuickTokenIsTheCopyAlone(t *testing.T) {
	f, cache := quickFixture(t)
	ctx := context.Background()
	_, ok := f.engine.QuickToken("dev", auth.TokenOptions{})
	require.False(t, ok, "nothing copied yet")
	tok, err := f.engine.Token(ctx, "dev", auth.TokenOptions{})
	require.NoError(t, err)
	f.store.SetErr(errors.New("the keychain is gone"))
	got, ok := f.engine.QuickToken("dev", auth.TokenOptions{})
	require.True(t, ok)
	require.Equal(t, tok.AccessToken, got.AccessToken)
	require.True(t, tok.Expiry.Equal(got.Expiry), "%v, not %v", tok.Expiry, got.Expiry)
	got, ok = f.engine.QuickToken("dev", auth.TokenOptions{IDToken: true})
	require.True(t, ok, "the copy holds the ID token too")
	require.Equal(t, tok.IDToken, got.IDToken)
	_, ok = f.engine.QuickToken("dev", auth.TokenOptions{ForceRefresh: true})
	require.False(t, ok, "a forced refresh is Token's")
	f.store.SetErr(nil)

	err = f.engine.Logout(ctx, "dev", auth.LogoutOptions{})
	require.NoError(t, err)
	_, ok = f.engine.QuickToken("dev", auth.TokenOptions{})
	require.False(t, ok, "gone with the sign-out")
	require.Empty(t, cachedAccessToken(t, cache, "dev"))
}

func TestQuickCopyIsFilledOnAMissOnlyUnderTheLock(t *testing.T) {
	f, cache := quickFixture(t)
	ctx := context.Background()
	tok, err := f.engine.Token(ctx, "dev", auth.TokenOptions{})
	require.NoError(t, err)

	// As after a reboot, or once the copy's time is up.
	cache.Drop("dev")
	lock := auth.FileLocker{Dir: f.lockDir}
	unlock, err := lock.Lock(ctx, "dev") // another process is busy with dev
	require.NoError(t, err)
	got, err := f.engine.Token(ctx, "dev", auth.TokenOptions{})
	require.NoError(t, err, "a cached token is served while the lock is held elsewhere")
	require.Equal(t, tok.AccessToken, got.AccessToken)
	require.Empty(t, cachedAccessToken(t, cache, "dev"), "without the lock a sign-out could happen between the read and the copy")
	unlock()

	f.store.ResetReads()
	_, err = f.engine.Token(ctx, "dev", auth.TokenOptions{})
	require.NoError(t, err)
	require.Equal(t, tok.AccessToken, cachedAccessToken(t, cache, "dev"), "the lock is free: the keychain's token set is copied")
	require.Equal(t, 1, f.store.Reads()["dev"], "a miss reads the keychain once")
	f.store.ResetReads()
	_, err = f.engine.Token(ctx, "dev", auth.TokenOptions{})
	require.NoError(t, err)
	require.Empty(t, f.store.Reads(), "a hit reads nothing")
}

func TestQuickCopyGoesWithTheTokens(t *testing.T) {
	srv := sharedServer(t)
	ctx := context.Background()
	edit := func(change func(*auth.Profile)) func(*testing.T, fixture) {
		return func(t *testing.T, f fixture) {
			p, err := f.engine.Profile(ctx, "dev")
			require.NoError(t, err)
			change(&p)
			_, err = f.engine.UpdateProfile(ctx, p)
			require.NoError(t, err)
		}
	}
	for _, tc := range []struct {
		name   string
		change func(t *testing.T, f fixture)
	}{
		{"sign-out", func(t *testing.T, f fixture) {
			require.NoError(t, f.engine.Logout(ctx, "dev", auth.LogoutOptions{}))
		}},
		{"removal", func(t *testing.T, f fixture) {
			require.NoError(t, f.engine.RemoveProfile(ctx, "dev"))
		}},
		{"another issuer", edit(func(p *auth.Profile) { p.Domain = "http://127.0.0.1:1" })},
		{"another audience", edit(func(p *auth.Profile) { p.Audience = "https://other.example.com" })},
		{"a pasted refresh token", func(t *testing.T, f fixture) {
			require.NoError(t, f.engine.SetRefreshToken(ctx, "dev", srv.Mint(t, testserver.PostClientID, "openid offline_access", "")))
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, cache := quickFixture(t)
			_, err := f.engine.Token(ctx, "dev", auth.TokenOptions{})
			require.NoError(t, err)
			require.NotEmpty(t, cachedAccessToken(t, cache, "dev"))
			tc.change(t, f)
			require.Empty(t, cachedAccessToken(t, cache, "dev"), "the copy must not outlive the tokens it copied")
		})
	}
}

func TestQuickCopyLivesNoLongerThanItsToken(t *testing.T) {
	var later atomic.Int64 // how far the engine's clock is ahead
	clock := func() time.Time { return time.Now().Add(time.Duration(later.Load())) }
	f, cache := quickFixture(t, auth.WithClock(clock))
	ctx := context.Background()
	tok, err := f.engine.Token(ctx, "dev", auth.TokenOptions{})
	require.NoError(t, err)
	require.Equal(t, auth.FastCacheFor, cache.TTL("dev"), "an hour's token is copied for the cache's own limit")

	// Five minutes before the hour is up, a fresh copy lives five minutes.
	left := 5 * time.Minute
	later.Store(int64(time.Until(tok.Expiry) - left))
	cache.Drop("dev")
	got, err := f.engine.Token(ctx, "dev", auth.TokenOptions{})
	require.NoError(t, err)
	require.Equal(t, tok.AccessToken, got.AccessToken)
	require.InDelta(t, float64(left), float64(cache.TTL("dev")), float64(5*time.Second))
}

func TestQuickCopyIsDroppedBeforeAChangeThatFails(t *testing.T) {
	f, cache := quickFixture(t)
	ctx := context.Background()
	_, err := f.engine.Token(ctx, "dev", auth.TokenOptions{})
	require.NoError(t, err)
	require.NotEmpty(t, cachedAccessToken(t, cache, "dev"))
	// The write fails, or times out and may still land later: either way
	// the copy must already be gone.
	f.store.SetSaveSecretErr(errors.New("the keychain write failed"))
	require.Error(t, f.engine.SetRefreshToken(ctx, "dev", "pasted-refresh-token"))
	require.Empty(t, cachedAccessToken(t, cache, "dev"))
}

func TestQuickCopyIsNotServedPastItsLife(t *testing.T) {
	var later atomic.Int64
	clock := func() time.Time { return time.Now().Add(time.Duration(later.Load())) }
	f, cache := quickFixture(t, auth.WithClock(clock)) // authtest.Cache keeps values forever: the engine must not
	ctx := context.Background()
	_, err := f.engine.Token(ctx, "dev", auth.TokenOptions{})
	require.NoError(t, err)
	raw, _ := cache.Get("dev")

	later.Store(int64(auth.FastCacheFor + time.Second))
	f.store.ResetReads()
	_, err = f.engine.Token(ctx, "dev", auth.TokenOptions{})
	require.NoError(t, err)
	require.Equal(t, 1, f.store.Reads()["dev"], "past its life the copy is a miss: the keychain is asked")
	again, _ := cache.Get("dev")
	require.NotEqual(t, raw, again, "and the copy is made afresh")
}

// An engine told not to use the copy (TOKENTRAY_NO_QUICK_CACHE) never
// serves it, but drops it with every change: other processes use it.
func TestDroppedQuickCopyIsNotReadButDropped(t *testing.T) {
	srv := sharedServer(t)
	cache := authtest.NewCache()
	f := newFixture(t, srv, auth.Profile{}, "openid offline_access", "", auth.WithTokenCacheDropped(cache))
	ctx := context.Background()
	tok, err := f.engine.Token(ctx, "dev", auth.TokenOptions{})
	require.NoError(t, err)
	require.Empty(t, cachedAccessToken(t, cache, "dev"), "not filled")

	b, err := json.Marshal(map[string]any{"token": auth.Token{AccessToken: "from-another-process"}, "until": time.Now().Add(time.Minute)})
	require.NoError(t, err)
	cache.Put("dev", string(b), time.Minute)
	got, err := f.engine.Token(ctx, "dev", auth.TokenOptions{})
	require.NoError(t, err)
	require.Equal(t, tok.AccessToken, got.AccessToken, "not read: the keychain's token is served")

	require.NoError(t, f.engine.Logout(ctx, "dev", auth.LogoutOptions{}))
	require.Empty(t, cachedAccessToken(t, cache, "dev"), "dropped with the sign-out")
}
