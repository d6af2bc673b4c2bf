package auth_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/tokentray/tokentray/auth"
	"github.com/tokentray/tokentray/auth/authtest"
	"github.com/tokentray/tokentray/testsupport/testserver"
)

// A refresh whose request reached the issuer outlives its caller: Close
// waits until its rotated refresh token is stored, and starts nothing new.
func TestCloseWaitsForASentRefresh(t *testing.T) {
	srv := testserver.Start(t, testserver.Options{})
	f := newFixture(t, srv, auth.Profile{}, "openid offline_access", "")
	old := f.refreshToken(t)
	srv.AnswerLate(t, 800*time.Millisecond, 1)

	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() {
		_, err := f.engine.Token(ctx, "dev", auth.TokenOptions{ForceRefresh: true})
		errc <- err
	}()
	srv.WaitHeld(t, 1)
	cancel() // Ctrl-C: the caller stops waiting at once...
	require.ErrorIs(t, <-errc, context.Canceled)

	var waited []auth.Pending
	require.NoError(t, f.engine.Close(context.Background(), func(ps []auth.Pending) { waited = ps }))
	require.Equal(t, []auth.Pending{{Name: "dev", Op: auth.OpRefresh}}, waited)
	// ...but the refresh it started was seen through.
	rt := f.refreshToken(t)
	require.NotEqual(t, old, rt)
	require.True(t, srv.Active(t, rt), "the stored refresh token is the live one")

	_, err := f.engine.Token(context.Background(), "dev", auth.TokenOptions{ForceRefresh: true})
	require.ErrorIs(t, err, auth.ErrClosed, "a closed engine starts no exchange")
	tok, err := f.engine.Token(context.Background(), "dev", auth.TokenOptions{})
	require.NoError(t, err, "cached tokens are still served")
	require.True(t, srv.Active(t, tok.AccessToken))
	require.Zero(t, srv.Stats(t).Reuse)
}

// Close with nothing in flight returns at once without calling waiting.
func TestCloseWithNothingPending(t *testing.T) {
	f := newFixture(t, sharedServer(t), auth.Profile{}, "openid offline_access", "")
	called := false
	require.NoError(t, f.engine.Close(context.Background(), func([]auth.Pending) { called = true }))
	require.False(t, called)
}

// The keychain refuses to store the rotated refresh token within the commit
// budget: the refresh says to sign in again and why, and no later refresh
// sends the spent token.
func TestRotationThatCannotBeStored(t *testing.T) {
	srv := testserver.Start(t, testserver.Options{})
	f := newFixture(t, srv, auth.Profile{}, "openid offline_access", "", auth.WithCommitTimeout(time.Second))
	old := f.refreshToken(t)
	f.store.SetSaveSecretErr(fmt.Errorf("save: %w", auth.ErrKeychainTimeout))

	start := time.Now()
	_, err := f.engine.Token(context.Background(), "dev", auth.TokenOptions{ForceRefresh: true})
	require.ErrorIs(t, err, auth.ErrRotationLost)
	require.ErrorIs(t, err, auth.ErrNeedsLogin)
	require.Less(t, time.Since(start), 5*time.Second, "bounded by the commit budget")
	require.Equal(t, old, f.refreshToken(t))

	f.store.SetSaveSecretErr(nil)
	srv.ResetStats(t)
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			_, err := f.engine.Token(context.Background(), "dev", auth.TokenOptions{ForceRefresh: true})
			require.ErrorIs(t, err, auth.ErrRotationLost)
		})
	}
	wg.Wait()
	require.Zero(t, srv.TokenRequests(t), "the spent refresh token never reaches the issuer again")
	require.NotContains(t, err.Error(), old)
}

// Close waits only for requests that can spend a refresh token: a refresh
// still reading the issuer's discovery document is not waited for, and its
// token request is never sent.
func TestCloseDoesNotWaitForDiscovery(t *testing.T) {
	var tokenRequests atomic.Int32
	discovering := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/.well-known/openid-configuration":
			close(discovering)
			time.Sleep(time.Second)
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprintf(w, `{"issuer":%q,"token_endpoint":%q}`, "http://"+r.Host, "http://"+r.Host+"/token")
		case "/token":
			tokenRequests.Add(1)
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, `{"access_token":"at","token_type":"Bearer","expires_in":600,"refresh_token":"rt-2"}`)
		}
	}))
	defer srv.Close()
	st := authtest.NewStore()
	e := auth.NewEngine(st, authtest.NopLocker{})
	ctx := context.Background()
	_, err := e.AddProfile(ctx, auth.Profile{Name: "i", Issuer: srv.URL, ClientID: "c"})
	require.NoError(t, err)
	require.NoError(t, e.SetRefreshToken(ctx, "i", "rt-1"))

	errc := make(chan error, 1)
	go func() {
		_, err := e.Token(ctx, "i", auth.TokenOptions{})
		errc <- err
	}()
	<-discovering
	start := time.Now()
	called := false
	require.NoError(t, e.Close(ctx, func([]auth.Pending) { called = true }))
	require.False(t, called, "nothing that can spend the refresh token is on its way")
	require.Less(t, time.Since(start), 500*time.Millisecond)
	require.ErrorIs(t, <-errc, auth.ErrClosed)
	require.Zero(t, tokenRequests.Load(), "no token request after Close")
	rt, _ := st.Secret("i", auth.SecretRefreshToken)
	require.Equal(t, "rt-1", rt)
}

// A device poll on its way when the app quits (the tray's sign-in runs on a
// goroutine) is waited for, and the approval it brings is stored.
func TestCloseWaitsForADevicePoll(t *testing.T) {
	code := `{"device_code":"dc","user_code":"AB","verification_uri":"https://example.test/activate","expires_in":60,"interval":1}`
	token := `{"access_token":"at","token_type":"Bearer","expires_in":600,"refresh_token":"rt-approved"}`
	st := authtest.NewStore()
	e := auth.NewEngine(st, authtest.NopLocker{})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	_, err := e.AddProfile(ctx, auth.Profile{Name: "tv", Domain: deviceIssuer(t, code, 1500*time.Millisecond, token), ClientID: "c"})
	require.NoError(t, err)
	done := make(chan error, 1)
	go func() {
		_, err := e.LoginDevice(ctx, "tv", func(auth.DeviceCode) {})
		done <- err
	}()
	time.Sleep(1300 * time.Millisecond) // the first poll leaves at 1 s and is answered at 2.5 s
	cancel()                            // the window closes its dialog
	var waited []auth.Pending
	require.NoError(t, e.Close(context.Background(), func(ps []auth.Pending) { waited = ps }))
	require.Equal(t, []auth.Pending{{Name: "tv", Op: auth.OpSignIn}}, waited)
	require.NoError(t, <-done)
	rt, _ := st.Secret("tv", auth.SecretRefreshToken)
	require.Equal(t, "rt-approved", rt)
}
