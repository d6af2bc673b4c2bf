package auth_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/tokentray/tokentray/auth"
	"github.com/tokentray/tokentray/auth/authtest"
)

// Polling honours the announced interval and slows down by 5 s on
// slow_down (RFC 8628 §3.5), which the real server never sends.
func TestDevicePollingHonoursIntervalAndSlowDown(t *testing.T) {
	var mu sync.Mutex
	var polls []time.Time
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Path {
		case "/oauth/device/code":
			io.WriteString(w, `{"device_code":"dc","user_code":"ABCD-EFGH","verification_uri":"https://example.test/activate","expires_in":60,"interval":1}`)
		case "/oauth/token":
			mu.Lock()
			polls = append(polls, time.Now())
			n := len(polls)
			mu.Unlock()
			switch n {
			case 1:
				w.WriteHeader(http.StatusBadRequest)
				io.WriteString(w, `{"error":"authorization_pending"}`)
			case 2:
				w.WriteHeader(http.StatusBadRequest)
				io.WriteString(w, `{"error":"slow_down"}`)
			default:
				io.WriteString(w, `{"access_token":"at","token_type":"Bearer","expires_in":600,"refresh_token":"rt-from-device"}`)
			}
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()

	st := authtest.NewStore()
	e := auth.NewEngine(st, authtest.NopLocker{})
	ctx := context.Background()
	_, err := e.AddProfile(ctx, auth.Profile{Name: "tv", Domain: srv.URL, ClientID: "c"})
	require.NoError(t, err)
	var shown auth.DeviceCode
	start := time.Now()
	tok, err := e.LoginDevice(ctx, "tv", func(d auth.DeviceCode) { shown = d })
	require.NoError(t, err)
	require.Equal(t, "ABCD-EFGH", shown.UserCode)
	require.Equal(t, time.Second, shown.Interval)
	require.Equal(t, "at", tok.AccessToken)
	rt, _ := st.Secret("tv", auth.SecretRefreshToken)
	require.Equal(t, "rt-from-device", rt)

	mu.Lock()
	defer mu.Unlock()
	require.Len(t, polls, 3)
	require.GreaterOrEqual(t, polls[0].Sub(start), 900*time.Millisecond, "the first poll waits one interval")
	require.GreaterOrEqual(t, polls[1].Sub(polls[0]), 900*time.Millisecond)
	require.GreaterOrEqual(t, polls[2].Sub(polls[1]), 5900*time.Millisecond, "slow_down adds 5 s")
}

// deviceIssuer answers the device endpoint with code and the token
// endpoint with token (after delay).
func deviceIssuer(t *testing.T, code string, delay time.Duration, token string) string {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Path {
		case "/oauth/device/code":
			io.WriteString(w, code)
		case "/oauth/token":
			time.Sleep(delay)
			io.WriteString(w, token)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// The verification page is something a front end opens in a browser: only
// https (or http on a loopback host) is accepted from an issuer.
func TestDeviceVerificationURLMustBeSafe(t *testing.T) {
	const token = `{"access_token":"at","token_type":"Bearer","expires_in":600,"refresh_token":"rt"}`
	for _, tc := range []struct {
		name, uri, complete string
		wantErr             bool
		wantComplete        string
	}{
		{"https", "https://example.test/activate", "https://example.test/activate?user_code=AB", false, "https://example.test/activate?user_code=AB"},
		{"loopback http", "http://127.0.0.1:9/activate", "", false, ""},
		{"plain http", "http://example.test/activate", "", true, ""},
		{"javascript", "javascript:alert(1)", "", true, ""},
		{"unsafe complete URI dropped", "https://example.test/activate", "file:///etc/passwd", false, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code := fmt.Sprintf(`{"device_code":"dc","user_code":"AB","verification_uri":%q,"verification_uri_complete":%q,"expires_in":60,"interval":1}`, tc.uri, tc.complete)
			st := authtest.NewStore()
			e := auth.NewEngine(st, authtest.NopLocker{})
			ctx := context.Background()
			_, err := e.AddProfile(ctx, auth.Profile{Name: "tv", Domain: deviceIssuer(t, code, 0, token), ClientID: "c"})
			require.NoError(t, err)
			var shown *auth.DeviceCode
			_, err = e.LoginDevice(ctx, "tv", func(d auth.DeviceCode) { shown = &d })
			if tc.wantErr {
				require.ErrorContains(t, err, "verification page")
				require.Nil(t, shown, "nothing to open is shown")
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.uri, shown.VerificationURI)
			require.Equal(t, tc.wantComplete, shown.VerificationURIComplete)
		})
	}
}

// The wait for the user and the exchange have separate budgets: a poll sent
// just before the wait ends is seen through and its tokens stored.
func TestDeviceApprovalAtTheLastSecond(t *testing.T) {
	code := `{"device_code":"dc","user_code":"AB","verification_uri":"https://example.test/activate","expires_in":60,"interval":1}`
	token := `{"access_token":"at","token_type":"Bearer","expires_in":600,"refresh_token":"rt-last-second"}`
	st := authtest.NewStore()
	e := auth.NewEngine(st, authtest.NopLocker{}, auth.WithLoginTimeout(1500*time.Millisecond))
	ctx := context.Background()
	_, err := e.AddProfile(ctx, auth.Profile{Name: "tv", Domain: deviceIssuer(t, code, time.Second, token), ClientID: "c"})
	require.NoError(t, err)
	// The one poll leaves at 1 s and is answered at 2 s, after the wait.
	_, err = e.LoginDevice(ctx, "tv", func(auth.DeviceCode) {})
	require.NoError(t, err)
	rt, _ := st.Secret("tv", auth.SecretRefreshToken)
	require.Equal(t, "rt-last-second", rt)
}
