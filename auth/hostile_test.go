package auth_test

import (
	"context"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/tokentray/tokentray/auth"
	"github.com/tokentray/tokentray/auth/authtest"
)

// Hostile token endpoints: what a real authorization server will not
// produce on demand. Every case checks that the stored refresh token and the
// cached token are exactly as before, and that no secret leaks into the error.

const (
	hostileSecret  = "client-secret-Hostile-4d2f9a7c1e"
	hostileRefresh = "refresh-token-Hostile-8b1e3c5d7f"
)

type recorder struct {
	mu     sync.Mutex
	bodies []string
	auth   []string
}

// record keeps what the request carried and leaves its body readable.
func (r *recorder) record(req *http.Request) {
	b, _ := io.ReadAll(req.Body)
	req.Body = io.NopCloser(strings.NewReader(string(b)))
	r.mu.Lock()
	r.bodies = append(r.bodies, string(b))
	r.auth = append(r.auth, req.Header.Get("Authorization"))
	r.mu.Unlock()
}

func (r *recorder) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.bodies)
}

func (r *recorder) all() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return strings.Join(r.bodies, "\n") + strings.Join(r.auth, "\n")
}

// hostileEngine stores a profile pointing at tokenURL with a refresh token
// and a stale cached token, and returns the engine and its store.
func hostileEngine(t *testing.T, tokenURL string, opts ...auth.Option) (*auth.Engine, *authtest.Store) {
	t.Helper()
	st := authtest.NewStore()
	ctx := context.Background()
	require.NoError(t, st.SaveProfile(ctx, auth.Profile{Name: "h", TokenURL: tokenURL, ClientID: "cid", ClientSecret: hostileSecret, AuthMethod: auth.AuthPost}))
	require.NoError(t, st.SaveSecret(ctx, "h", auth.SecretRefreshToken, hostileRefresh))
	require.NoError(t, st.SaveSecret(ctx, "h", auth.SecretTokenCache, `{"access_token":"old","expiry":"2001-01-01T00:00:00Z"}`))
	return auth.NewEngine(st, authtest.NopLocker{}, opts...), st
}

func requireUntouched(t *testing.T, st *authtest.Store, err error) {
	t.Helper()
	require.Error(t, err)
	rt, _ := st.Secret("h", auth.SecretRefreshToken)
	require.Equal(t, hostileRefresh, rt, "a failed refresh must keep the stored refresh token")
	c, _ := st.Secret("h", auth.SecretTokenCache)
	require.Equal(t, `{"access_token":"old","expiry":"2001-01-01T00:00:00Z"}`, c)
	require.NotContains(t, err.Error(), hostileRefresh)
	require.NotContains(t, err.Error(), hostileSecret)
	require.NotContains(t, fmt.Sprintf("%+v %#v", err, err), hostileRefresh)
}

// oauthError answers with an RFC 6749 error.
func oauthError(status int, code, description string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		fmt.Fprintf(w, `{"error":%q,"error_description":%q}`, code, description)
	}
}

func TestHostileEndpoints(t *testing.T) {
	tests := []struct {
		name    string
		handler http.HandlerFunc
		check   func(t *testing.T, err error)
	}{{
		name: "429 with Auth0 rate-limit headers",
		handler: func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("X-RateLimit-Limit", "30")
			w.Header().Set("X-RateLimit-Remaining", "0")
			w.Header().Set("X-RateLimit-Reset", fmt.Sprint(time.Now().Add(42*time.Second).Unix()))
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusTooManyRequests)
			io.WriteString(w, `{"error":"too_many_requests","error_description":"Rate limit exceeded"}`)
		},
		check: func(t *testing.T, err error) {
			var rl *auth.RateLimitError
			require.ErrorAs(t, err, &rl)
			require.InDelta(t, 42, rl.RetryAfter.Seconds(), 2)
			require.ErrorIs(t, err, auth.ErrTemporary)
			require.Regexp(t, `rate limited .*retry in 4[0-3] s`, err.Error())
		},
	}, {
		name: "429 with Retry-After",
		handler: func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Retry-After", "7")
			w.WriteHeader(http.StatusTooManyRequests)
		},
		check: func(t *testing.T, err error) {
			var rl *auth.RateLimitError
			require.ErrorAs(t, err, &rl)
			require.Equal(t, 7*time.Second, rl.RetryAfter)
		},
	}, {
		name: "Auth0 global limit as another status",
		handler: func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusBadRequest)
			io.WriteString(w, `{"error":"access_denied","error_description":"Global limit has been reached"}`)
		},
		check: func(t *testing.T, err error) {
			var rl *auth.RateLimitError
			require.ErrorAs(t, err, &rl)
			require.ErrorIs(t, err, auth.ErrTemporary)
		},
	}, {
		name: "500 with an HTML page echoing the refresh token",
		handler: func(w http.ResponseWriter, r *http.Request) {
			r.ParseForm()
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(http.StatusInternalServerError)
			fmt.Fprintf(w, "<html><body><h1>Internal   Server Error</h1><p>request %s failed</p></body></html>", r.PostForm.Get("refresh_token"))
		},
		check: func(t *testing.T, err error) {
			var re *auth.ResponseError
			require.ErrorAs(t, err, &re)
			require.Equal(t, 500, re.Status)
			require.ErrorIs(t, err, auth.ErrTemporary)
			require.Contains(t, re.Excerpt, "Internal Server Error")
			require.NotContains(t, re.Excerpt, "<h1>")
		},
	}, {
		name: "502 JSON echoing short tokens",
		handler: func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusBadGateway)
			io.WriteString(w, `{"message":"upstream failed","access_token":"at-1","refresh_token" : "rt-2","id_token":"a.b","echo":"grant_type=refresh_token&refresh_token=rt-3&client_secret=cs-4","refreshToken":"rt-5","Access_Token":"at-6"}`)
		},
		check: func(t *testing.T, err error) {
			var re *auth.ResponseError
			require.ErrorAs(t, err, &re)
			require.Contains(t, re.Excerpt, "upstream failed")
			for _, secret := range []string{"at-1", "rt-2", "a.b", "rt-3", "cs-4", "rt-5", "at-6"} {
				require.NotContains(t, err.Error(), secret)
			}
		},
	}, {
		name: "Auth0's 403 invalid_grant",
		handler: func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusForbidden)
			io.WriteString(w, `{"error":"invalid_grant","error_description":"Unknown or invalid refresh token."}`)
		},
		check: func(t *testing.T, err error) {
			require.ErrorIs(t, err, auth.ErrNeedsLogin)
			require.Contains(t, err.Error(), "sign in again")
		},
	}, {
		name:    "Auth0's 403 mfa_required (step-up)",
		handler: oauthError(http.StatusForbidden, "mfa_required", "Multifactor authentication required"),
		check: func(t *testing.T, err error) {
			require.ErrorIs(t, err, auth.ErrNeedsLogin)
			require.Contains(t, err.Error(), "multi-factor authentication is required; signing in again will ask for it")
		},
	}, {
		name:    "400 login_required",
		handler: oauthError(http.StatusBadRequest, "login_required", "End-User authentication is required"),
		check: func(t *testing.T, err error) {
			require.ErrorIs(t, err, auth.ErrNeedsLogin)
			require.Contains(t, err.Error(), "End-User authentication is required")
			require.Contains(t, err.Error(), "sign in again")
		},
	}, {
		name:    "400 consent_required",
		handler: oauthError(http.StatusBadRequest, "consent_required", "consent needed for offline_access"),
		check: func(t *testing.T, err error) {
			require.ErrorIs(t, err, auth.ErrNeedsLogin)
			require.Contains(t, err.Error(), "consent needed for offline_access")
		},
	}, {
		name:    "400 interaction_required",
		handler: oauthError(http.StatusBadRequest, "interaction_required", "the user must act"),
		check: func(t *testing.T, err error) {
			require.ErrorIs(t, err, auth.ErrNeedsLogin)
			require.Contains(t, err.Error(), "the user must act")
		},
	}, {
		name:    "400 unsupported_grant_type",
		handler: oauthError(http.StatusBadRequest, "unsupported_grant_type", "Unsupported grant type: refresh_token"),
		check: func(t *testing.T, err error) {
			require.NotErrorIs(t, err, auth.ErrNeedsLogin)
			require.NotErrorIs(t, err, auth.ErrTemporary)
			require.Contains(t, err.Error(), "may not use the refresh_token grant")
			require.Contains(t, err.Error(), "Grant Types: Refresh Token")
		},
	}, {
		name: "401 invalid_client",
		handler: func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusUnauthorized)
			io.WriteString(w, `{"error":"invalid_client","error_description":"client authentication failed"}`)
		},
		check: func(t *testing.T, err error) {
			var oe *auth.OAuthError
			require.ErrorAs(t, err, &oe)
			require.Equal(t, "invalid_client", oe.Code)
			require.NotErrorIs(t, err, auth.ErrNeedsLogin)
			require.Contains(t, err.Error(), "check the client ID, client secret")
		},
	}, {
		name: "503 temporarily_unavailable as OAuth JSON",
		handler: func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusServiceUnavailable)
			io.WriteString(w, `{"error":"temporarily_unavailable","error_description":"try later"}`)
		},
		check: func(t *testing.T, err error) {
			require.ErrorIs(t, err, auth.ErrTemporary)
			require.NotErrorIs(t, err, auth.ErrNeedsLogin)
			require.Contains(t, err.Error(), "retry later")
		},
	}, {
		name: "400 invalid_scope",
		handler: func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusBadRequest)
			io.WriteString(w, `{"error":"invalid_scope","error_description":"read:secrets"}`)
		},
		check: func(t *testing.T, err error) {
			require.ErrorContains(t, err, "scope is not allowed")
			require.NotErrorIs(t, err, auth.ErrNeedsLogin)
		},
	}, {
		name: "403 unauthorized_client",
		handler: func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusForbidden)
			io.WriteString(w, `{"error":"unauthorized_client","error_description":"grant type not allowed"}`)
		},
		check: func(t *testing.T, err error) {
			require.ErrorContains(t, err, "may not use the refresh_token grant")
		},
	}, {
		name: "10 MB body",
		handler: func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			chunk := strings.Repeat("x", 1<<20)
			for range 10 {
				if _, err := io.WriteString(w, chunk); err != nil {
					return
				}
			}
		},
		check: func(t *testing.T, err error) {
			var re *auth.ResponseError
			require.ErrorAs(t, err, &re)
			require.Equal(t, "not JSON", re.Problem)
			require.Less(t, len(err.Error()), 400)
		},
	}, {
		name: "invalid JSON",
		handler: func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, `{"access_token": "abc", "expires_in": `)
		},
		check: func(t *testing.T, err error) {
			var re *auth.ResponseError
			require.ErrorAs(t, err, &re)
			require.Equal(t, 200, re.Status)
			require.Equal(t, "not JSON", re.Problem)
		},
	}, {
		name: "200 without access_token",
		handler: func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, `{"token_type":"Bearer","expires_in":3600}`)
		},
		check: func(t *testing.T, err error) {
			var re *auth.ResponseError
			require.ErrorAs(t, err, &re)
			require.Contains(t, re.Problem, "no access_token")
		},
	}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec := &recorder{}
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				rec.record(r)
				tc.handler(w, r)
			}))
			defer srv.Close()
			e, st := hostileEngine(t, srv.URL+"/oauth/token")
			_, err := e.Token(context.Background(), "h", auth.TokenOptions{})
			requireUntouched(t, st, err)
			tc.check(t, err)
			require.Equal(t, 1, rec.count(), "exactly one request, no retry loop")
		})
	}
}

// A 307 from the token endpoint would make net/http re-post the form (client
// secret and refresh token) to the host it names. It must never be followed.
func TestRedirectIsRefused(t *testing.T) {
	for _, code := range []int{http.StatusTemporaryRedirect, http.StatusPermanentRedirect, http.StatusFound} {
		t.Run(fmt.Sprint(code), func(t *testing.T) {
			thief := &recorder{}
			other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				thief.record(r)
				w.Header().Set("Content-Type", "application/json")
				io.WriteString(w, `{"access_token":"stolen","token_type":"Bearer","expires_in":3600}`)
			}))
			defer other.Close()
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				http.Redirect(w, r, other.URL+"/oauth/token", code)
			}))
			defer srv.Close()

			e, st := hostileEngine(t, srv.URL+"/oauth/token")
			_, err := e.Token(context.Background(), "h", auth.TokenOptions{})
			requireUntouched(t, st, err)
			require.ErrorIs(t, err, auth.ErrRedirect)
			require.Zero(t, thief.count(), "the redirect target must never be contacted")
			require.NotContains(t, thief.all(), hostileRefresh)
		})
	}
}

func TestServerThatNeverAnswers(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go io.Copy(io.Discard, c) // read forever, answer never
			t.Cleanup(func() { c.Close() })
		}
	}()
	e, st := hostileEngine(t, "http://"+ln.Addr().String()+"/oauth/token", auth.WithTimeout(300*time.Millisecond))
	start := time.Now()
	_, err = e.Token(context.Background(), "h", auth.TokenOptions{})
	requireUntouched(t, st, err)
	require.ErrorIs(t, err, auth.ErrTemporary)
	require.Contains(t, err.Error(), "no answer in time")
	require.Less(t, time.Since(start), 10*time.Second, "the timeout must end the wait")
}

func TestCallerContextEndsTheWait(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			t.Cleanup(func() { c.Close() })
		}
	}()
	e, st := hostileEngine(t, "http://"+ln.Addr().String()+"/oauth/token", auth.WithTimeout(time.Second))
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err = e.Token(ctx, "h", auth.TokenOptions{})
	require.ErrorIs(t, err, context.DeadlineExceeded)
	require.Less(t, time.Since(start), 900*time.Millisecond, "the caller stops waiting at its own deadline")
	// The detached refresh goes on until its own timeout; join it (a second
	// caller shares the flight) before checking that nothing was stored.
	_, err = e.Token(context.Background(), "h", auth.TokenOptions{})
	requireUntouched(t, st, err)
}

func TestTLSIsVerified(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"access_token":"fresh","token_type":"Bearer","expires_in":3600}`)
	}))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshake is the point
	defer srv.Close()

	e, st := hostileEngine(t, srv.URL+"/oauth/token")
	_, err := e.Token(context.Background(), "h", auth.TokenOptions{})
	requireUntouched(t, st, err)
	require.Contains(t, err.Error(), "TLS certificate not trusted")
	require.ErrorAs(t, err, new(*auth.CertificateError), "the front ends word the fix (the CLI: --ca-file)")

	// With the server's CA given explicitly, the same endpoint works.
	ca := filepath.Join(t.TempDir(), "ca.pem")
	require.NoError(t, os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}), 0o600))
	p, err := st.LoadProfile(context.Background(), "h")
	require.NoError(t, err)
	p.CAFile = ca
	require.NoError(t, st.SaveProfile(context.Background(), p))
	tok, err := auth.NewEngine(st, authtest.NopLocker{}).Token(context.Background(), "h", auth.TokenOptions{})
	require.NoError(t, err)
	require.Equal(t, "fresh", tok.AccessToken)
}

func TestPlainHTTPOnlyForLoopback(t *testing.T) {
	e, st := hostileEngine(t, "http://tokens.example.com/oauth/token")
	_, err := e.Token(context.Background(), "h", auth.TokenOptions{})
	requireUntouched(t, st, err)
	require.ErrorIs(t, err, auth.ErrInsecureURL)
	require.False(t, errors.Is(err, auth.ErrTemporary))
}

func TestUnknownHost(t *testing.T) {
	// .invalid never resolves (RFC 2606).
	e, st := hostileEngine(t, "https://tenant.invalid/oauth/token")
	_, err := e.Token(context.Background(), "h", auth.TokenOptions{})
	requireUntouched(t, st, err)
	require.ErrorIs(t, err, auth.ErrTemporary)
	require.ErrorContains(t, err, "tenant.invalid")
}

// access_denied from the token endpoint on a refresh (an Auth0 Action's
// api.access.deny) is a refusal, not a declined sign-in.
func TestAccessDeniedOnRefreshIsNotADeniedSignIn(t *testing.T) {
	srv := httptest.NewServer(oauthError(http.StatusForbidden, "access_denied", "blocked by a rule"))
	defer srv.Close()
	e, st := hostileEngine(t, srv.URL+"/oauth/token")
	_, err := e.Token(context.Background(), "h", auth.TokenOptions{})
	requireUntouched(t, st, err)
	require.NotErrorIs(t, err, auth.ErrDenied)
	require.Contains(t, err.Error(), "blocked by a rule")
}
