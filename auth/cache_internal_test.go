package auth

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// The tray app runs for weeks and every pasted token may name another
// issuer: the engine's caches of endpoints and key sets stay bounded.
func TestIssuerCachesAreBounded(t *testing.T) {
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		issuer, ok := strings.CutSuffix(srv.URL+r.URL.Path, "/.well-known/openid-configuration")
		if !ok {
			http.NotFound(w, r)
			return
		}
		_ = json.NewEncoder(w).Encode(map[string]string{"issuer": issuer, "token_endpoint": issuer + "/token", "jwks_uri": issuer + "/jwks"})
	}))
	defer srv.Close()
	e := NewEngine(nil, FileLocker{Dir: t.TempDir()})
	ctx := context.Background()
	for i := range maxCached + 10 {
		issuer := fmt.Sprintf("%s/i/%d", srv.URL, i)
		ep, err := e.Endpoints(ctx, Profile{Issuer: issuer})
		require.NoError(t, err)
		require.Equal(t, issuer+"/token", ep.TokenURL)
		e.keySet(ctx, http.DefaultClient, issuer+"/jwks", "")
	}
	require.LessOrEqual(t, len(e.endpoints), maxCached)
	require.LessOrEqual(t, len(e.keySets), maxCached)
	require.NotEmpty(t, e.endpoints, "the latest are kept")
}
