package window

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
	"github.com/stretchr/testify/require"
	"github.com/tokentray/tokentray/auth"
	"github.com/tokentray/tokentray/testsupport/testserver"
	"github.com/tokentray/tokentray/ui/session/sessiontest"
)

// formValue is the value shown next to a key in a form-layout container.
func formValue(t *testing.T, c *fyne.Container, k string) string {
	t.Helper()
	for i := 0; i+1 < len(c.Objects); i += 2 {
		if l, ok := c.Objects[i].(*widget.Label); ok && l.Text == k {
			if v, ok := c.Objects[i+1].(*widget.Label); ok {
				return v.Text
			}
		}
	}
	t.Fatalf("no %q in the table", k)
	return ""
}

func TestInspectorShowsTheDecodedToken(t *testing.T) {
	f := sessiontest.New(t)
	srv := f.Serve(t, 30*time.Minute)
	f.SignIn(t, "dev")
	m, w := open(t, f)
	test.Tap(rowOf(t, m, "dev").button)
	f.Settle(t)
	tok := f.Cached(t, "dev")

	m.Inspect("dev")
	i := m.inspector
	require.True(t, i.content.Visible())
	require.Equal(t, "dev", i.title.Text)
	require.Equal(t, []string{"read:things"}, i.scopes.Items())
	require.Equal(t, testserver.APIAudience, i.audience.Text)
	require.Equal(t, srv.Issuer, i.issuer.Text)
	require.Equal(t, testserver.DefaultSubject, i.subject.Text)
	require.Equal(t, "Bearer, JWT (signature not verified)", i.kind.Text)
	require.Equal(t, tok.Expiry.Local().Format("Mon 2 Jan 2006 15:04:05 MST")+" (in "+f.Left(t, "dev")+")", i.expiry.Text)
	require.NotEqual(t, "—", i.issued.Text)
	require.True(t, hasLabel(i.content, "Access token claims — decoded, NOT verified"))
	require.True(t, hasLabel(i.content, "ID token claims — decoded, NOT verified"))
	require.Equal(t, testserver.APIAudience, formValue(t, i.claims, "aud"))
	require.Equal(t, testserver.PostClientID, formValue(t, i.idClaims, "aud"))
	require.Equal(t, testserver.DefaultSubject, formValue(t, i.idClaims, "sub"))
	exp := auth.Decode(tok.AccessToken).Expiry()
	require.Equal(t, strconv.FormatInt(exp.Unix(), 10)+" ("+exp.Local().Format("Mon 2 Jan 2006 15:04:05 MST")+")", formValue(t, i.claims, "exp"),
		"whole seconds, not 1.79e+09")
	require.False(t, i.errBox.Visible())

	t.Run("the raw token stays masked until Reveal", func(t *testing.T) {
		require.NotContains(t, i.raw.Text, tok.AccessToken)
		require.Equal(t, mask(tok.AccessToken), i.raw.Text)
		for _, o := range test.LaidOutObjects(w.Content()) {
			if l, ok := o.(*widget.Label); ok {
				require.NotContains(t, l.Text, tok.AccessToken, "no label shows the token")
			}
		}
		test.Tap(button(t, i.content, LabelReveal))
		require.Equal(t, tok.AccessToken, i.raw.Text)
		test.Tap(button(t, i.content, LabelHide))
		require.Equal(t, mask(tok.AccessToken), i.raw.Text)
	})
	t.Run("a revealed token is masked again when the window hides", func(t *testing.T) {
		test.Tap(button(t, i.content, LabelReveal))
		require.Equal(t, tok.AccessToken, i.raw.Text)
		m.OnHidden()
		require.Equal(t, mask(tok.AccessToken), i.raw.Text)
		require.NotNil(t, button(t, i.content, LabelReveal), "the button offers Reveal again")
	})
	t.Run("a refreshed token is masked even if the old one was revealed", func(t *testing.T) {
		test.Tap(button(t, i.content, LabelReveal))
		require.Equal(t, tok.AccessToken, i.raw.Text)
		test.Tap(button(t, i.content, LabelRefreshCopy))
		f.Settle(t)
		fresh := f.Cached(t, "dev").AccessToken
		require.NotEqual(t, tok.AccessToken, fresh)
		require.Equal(t, mask(fresh), i.raw.Text)
		require.NotNil(t, button(t, i.content, LabelReveal))
		tok = f.Cached(t, "dev")
	})
	t.Run("copy puts the valid token on the clipboard", func(t *testing.T) {
		require.NoError(t, f.Clipboard.WriteAll(""))
		test.Tap(button(t, i.content, LabelCopy))
		f.Settle(t)
		require.Equal(t, tok.AccessToken, f.Clipboard.Text())
	})
	t.Run("the expiry counts down", func(t *testing.T) {
		// From the token's own expiry: the server stamps it with the real
		// clock, which has moved on by a varying amount since the fixture's.
		f.Clock.Set(tok.Expiry.Add(-30 * time.Second))
		m.Tick()
		require.True(t, strings.HasSuffix(i.expiry.Text, "(in 30 s)"), i.expiry.Text)
		require.Equal(t, "0:00:30", cd(i.countdown))
	})
	t.Run("the last error in full", func(t *testing.T) {
		require.NoError(t, f.Engine.SetRefreshToken(context.Background(), "dev", "made-up"))
		f.Settle(t)
		test.Tap(button(t, i.content, LabelRefreshCopy))
		f.Settle(t)
		require.True(t, i.errBox.Visible())
		require.Equal(t, "Sign in needed: the refresh token is missing, expired or revoked. Use Sign in…, or paste a new refresh token in the editor.", i.problem.Text)
		require.Contains(t, i.errFull.Text, "invalid_grant")
		require.Contains(t, i.errFull.Text, "refresh dev")
		require.NotContains(t, i.errFull.Text, "made-up", "no secret in the error")
		require.Equal(t, "No access token cached yet: Refresh & copy gets one.", i.raw.Text)
		require.True(t, button(t, i.content, LabelReveal).Disabled())
	})
}

func TestInspectorOpaqueToken(t *testing.T) {
	f := sessiontest.New(t)
	addDomainProfile(t, f, "dev")
	now := f.Clock.Now()
	cache(t, f, "dev", auth.Token{AccessToken: "opaque-xyz", Scope: "openid email", ObtainedAt: now, Expiry: now.Add(time.Hour)})
	m, _ := open(t, f)
	m.Inspect("dev")
	i := m.inspector
	require.Equal(t, []string{"openid", "email"}, i.scopes.Items(), "granted scope from the token endpoint")
	require.Equal(t, "Bearer, opaque", i.kind.Text)
	require.True(t, hasLabel(i.claims, "Opaque token: only the issuer can read it (Auth0 issues these when no audience is set)."))
	require.False(t, i.idClaims.Visible())
}

// TestAnEchoedRefreshTokenIsNeverShown: some issuers put the refresh token
// they refused into their error; the GUI shows errors in notifications, the
// status line and the inspector, and must show it in none of them.
func TestAnEchoedRefreshTokenIsNeverShown(t *testing.T) {
	const rt = "v1.MRrt-echoed-back-by-the-issuer-0123456789"
	for _, tc := range []struct {
		name        string
		status      int
		contentType string
		body        string
	}{
		{"in error_description", http.StatusBadRequest, "application/json",
			`{"error":"invalid_grant","error_description":"refresh token ` + rt + ` is revoked"}`},
		{"in an HTML error page", http.StatusBadGateway, "text/html",
			`<html><body>upstream rejected refresh_token=` + rt + `</body></html>`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			issuer := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", tc.contentType)
				w.WriteHeader(tc.status)
				fmt.Fprint(w, tc.body)
			}))
			defer issuer.Close()
			f := sessiontest.New(t)
			ctx := context.Background()
			_, err := f.Engine.AddProfile(ctx, auth.Profile{Name: "leaky", TokenURL: issuer.URL + "/oauth/token", ClientID: "c"})
			require.NoError(t, err)
			require.NoError(t, f.Engine.SetRefreshToken(ctx, "leaky", rt))
			m, w := open(t, f)

			test.Tap(rowOf(t, m, "leaky").button)
			f.Settle(t)
			m.Inspect("leaky")
			i := m.inspector
			require.True(t, i.errBox.Visible(), "the failure is shown")
			require.NotEmpty(t, i.errFull.Text)
			require.NotEmpty(t, f.Notes())

			shown := append(f.Notes(), m.status.Text, i.problem.Text, i.errFull.Text, rowOf(t, m, "leaky").detail.Text)
			for _, o := range test.LaidOutObjects(w.Content()) {
				if l, ok := o.(*widget.Label); ok {
					shown = append(shown, l.Text)
				}
			}
			for _, s := range shown {
				require.NotContains(t, s, rt)
				require.NotContains(t, s, "MRrt-echoed", "not even part of it")
			}
		})
	}
}
