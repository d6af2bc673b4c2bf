package e2e

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/tokentray/tokentray/auth"
	"github.com/tokentray/tokentray/testsupport/testserver"
)

// A machine-to-machine profile, as a user sets one up: the application's
// own credentials, no sign-in; `token` gets a JWT for the API and then
// serves the cached one without asking the issuer again.
func TestMachineToMachineProfile(t *testing.T) {
	srv := testserver.Start(t, testserver.Options{})
	e := newEnv(t)
	r := e.must(testserver.M2MClientSecret+"\n", "profile", "add", "billing", "--grant", "client_credentials", where(srv),
		"--client-id", testserver.M2MClientID, "--audience", testserver.APIAudience, "--scope", "read:things", "--client-secret-stdin")
	require.Contains(t, r.stderr, "client credentials). Get a token: tokentray token billing")

	before := srv.TokenRequests(t)
	at := strings.TrimSpace(e.must("", "token", "billing").stdout)
	remember(at)
	require.True(t, srv.Active(t, at))
	d := auth.Decode(at)
	require.Equal(t, testserver.M2MClientID, d.Claims["client_id"])
	require.Contains(t, d.Audience(), testserver.APIAudience)
	require.Equal(t, []string{"read:things"}, d.Scopes())
	require.Equal(t, at, strings.TrimSpace(e.must("", "token", "billing").stdout), "cached")
	require.Equal(t, before+1, srv.TokenRequests(t), "one request for two calls")
	require.Equal(t, "client_credentials", srv.Stats(t).LastTokenRequest["grant_type"])
	require.Equal(t, []string{"session:billing"}, itemsOf(e, "billing"), "no refresh token item, just the cached token")

	var views []map[string]any
	require.NoError(t, json.Unmarshal([]byte(e.must("", "profile", "list", "--json").stdout), &views))
	require.Len(t, views, 1)
	require.Equal(t, "client_credentials", views[0]["grant"])
	require.Equal(t, false, views[0]["has_refresh_token"])
	require.Contains(t, e.must("", "profile", "list").stdout, "client_credentials")

	r = e.run("", "login", "billing")
	require.Equal(t, 1, r.code, r.stderr)
	require.Contains(t, r.stderr, "no sign-in")
	require.Contains(t, r.stderr, "tokentray token billing")

	r = e.run("", "exec", "billing", "--", "sh", "-c", `printf %s "$ACCESS_TOKEN"`)
	require.Equal(t, 0, r.code, r.stderr)
	require.Equal(t, at, r.stdout)
}

// An API the application is not authorised for: a worded refusal, exit 1,
// nothing cached.
func TestMachineToMachineUnauthorisedAPI(t *testing.T) {
	srv := testserver.Start(t, testserver.Options{})
	e := newEnv(t)
	e.must(testserver.M2MClientSecret+"\n", "profile", "add", "other", "--grant", "client_credentials", where(srv),
		"--client-id", testserver.M2MClientID, "--audience", testserver.OtherAudience, "--client-secret-stdin")
	r := e.run("", "token", "other")
	require.Equal(t, 1, r.code, r.stderr)
	require.Contains(t, r.stderr, "access_denied")
	require.Contains(t, r.stderr, "not authorised for this API")
	require.NotContains(t, r.stderr, testserver.M2MClientSecret)
	require.Empty(t, itemsOf(e, "other"))
}

// itemsOf lists the keychain items of profile name other than its record.
func itemsOf(e *env, name string) []string {
	var out []string
	for _, u := range e.keychainItems() {
		if strings.HasSuffix(u, ":"+name) && !strings.HasPrefix(u, "profile:") {
			out = append(out, u)
		}
	}
	return out
}
