package window

import (
	"encoding/base64"
	"strconv"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
	"github.com/stretchr/testify/require"
	"github.com/tokentray/tokentray/auth"
	"github.com/tokentray/tokentray/ui/session/sessiontest"
)

// Support staff paste a customer's token: it stays masked, its claims are
// shown, and Verify checks it against its issuer's published keys.
func TestInspectAPastedToken(t *testing.T) {
	f := sessiontest.New(t)
	srv := f.Serve(t, time.Hour)
	f.SignIn(t, "dev")
	tok, err := f.Engine.Token(t.Context(), "dev", auth.TokenOptions{})
	require.NoError(t, err)
	require.Equal(t, auth.KindJWT, auth.Decode(tok.AccessToken).Kind)
	m, w := open(t, f)

	test.Tap(button(t, m.Content(), LabelInspectToken))
	p := m.pasted
	require.NotNil(t, p)
	require.True(t, p.entry.Password, "the token is masked")
	require.True(t, p.verify.Disabled(), "nothing to verify yet")

	f.Clipboard.WriteAll("Bearer " + tok.AccessToken)
	test.Tap(button(t, w.Canvas().Overlays().Top(), LabelFromClipboard))
	f.Settle(t)
	require.Equal(t, "Bearer "+tok.AccessToken, p.entry.Text)
	require.Equal(t, "JWT (signature not verified)", p.kind.Text)
	require.Equal(t, srv.Issuer, p.issuer.Text)
	require.Equal(t, "user-1", p.subject.Text)
	require.Contains(t, p.expiry.Text, "(in ")
	require.Contains(t, p.header.Text, "alg RS256")
	require.NotEmpty(t, p.claims.Objects)

	test.Tap(p.verify)
	f.Settle(t)
	require.True(t, strings.HasPrefix(p.verdict.Text, "Valid (RS256, kid "), p.verdict.Text)
	require.True(t, strings.HasSuffix(p.verdict.Text, "issuer "+srv.Issuer+")"), p.verdict.Text)

	parts := strings.Split(tok.AccessToken, ".")
	payload, _ := base64.RawURLEncoding.DecodeString(parts[1])
	parts[1] = base64.RawURLEncoding.EncodeToString([]byte(strings.Replace(string(payload), "user-1", "admin", 1)))
	p.entry.SetText(strings.Join(parts, "."))
	require.Equal(t, "admin", p.subject.Text)
	require.Empty(t, p.verdict.Text, "a new token, no verdict yet")
	test.Tap(p.verify)
	f.Settle(t)
	require.True(t, strings.HasPrefix(p.verdict.Text, "Not valid: the signature does not verify"), p.verdict.Text)

	p.entry.SetText("opaque-reference-token")
	require.Equal(t, "opaque", p.kind.Text)
	require.True(t, p.verify.Disabled(), "an opaque token has no signature")
	require.Equal(t, "—", p.issuer.Text)

	names, err := f.Engine.Names(t.Context())
	require.NoError(t, err)
	require.Equal(t, []string{"dev"}, names, "nothing pasted is stored")
}

// A pasted token with thousands of claims shows the first maxClaims and
// says how many more there are, instead of making thousands of widgets.
func TestInspectAPastedTokenWithManyClaims(t *testing.T) {
	f := sessiontest.New(t)
	m, w := open(t, f)
	test.Tap(button(t, m.Content(), LabelInspectToken))
	p := m.pasted
	claims := make([]string, 5000)
	for i := range claims {
		claims[i] = `"c` + strconv.Itoa(i) + `":1`
	}
	enc := base64.RawURLEncoding.EncodeToString
	jwt := enc([]byte(`{"alg":"RS256"}`)) + "." + enc([]byte("{"+strings.Join(claims, ",")+"}")) + ".c2ln"
	f.Clipboard.WriteAll(jwt)
	test.Tap(button(t, w.Canvas().Overlays().Top(), LabelFromClipboard))
	f.Settle(t)
	objs := p.claims.Objects
	require.Len(t, objs, 2*maxClaims+2)
	last := objs[len(objs)-1].(*widget.Label)
	require.Contains(t, last.Text, "and 4800 more claims")
}
