package e2e

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/tokentray/tokentray/testsupport/testserver"
)

// With the issuer's refresh token lifetimes in the profile (Auth0 states
// none in its answers), the command line says when to sign in again.
func TestRefreshTokenLifetimeShown(t *testing.T) {
	srv := testserver.Start(t, testserver.Options{})
	e := newEnv(t)
	e.must(testserver.PostClientSecret+"\n", "profile", "add", "dev", where(srv), "--client-id", testserver.PostClientID,
		"--client-secret-stdin", "--refresh-lifetime", "30d", "--refresh-idle", "5d", "--keep-signed-in")
	rt := srv.Mint(t, testserver.PostClientID, "openid offline_access", "")
	remember(rt)
	e.must(rt, "login", "dev", "--refresh-token-stdin")

	show := e.must("", "profile", "show", "dev").stdout
	require.Contains(t, show, "30 days from sign-in, 5 days unused")
	require.Contains(t, show, "(sign in again in 5 days)")
	require.Contains(t, show, "keep signed in")

	var views []struct {
		SignInBy *time.Time `json:"sign_in_by"`
	}
	require.NoError(t, json.Unmarshal([]byte(e.must("", "profile", "list", "--json").stdout), &views))
	require.Len(t, views, 1)
	require.NotNil(t, views[0].SignInBy)
	require.WithinDuration(t, time.Now().Add(5*24*time.Hour), *views[0].SignInBy, time.Minute)

	out := e.must("", "inspect", "dev").stdout
	require.Contains(t, out, "refresh token")
	require.True(t, strings.Contains(out, "sign in again in 5 days"), out)

	r := e.run("", "profile", "edit", "dev", "--refresh-idle", "5 days")
	require.Equal(t, 2, r.code)
	require.Contains(t, r.stderr, "use whole days (30d) or a duration (12h)")
}
