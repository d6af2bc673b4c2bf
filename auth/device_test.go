package auth_test

import (
	"context"
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
