package window

import (
	"context"
	"fmt"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
	"github.com/stretchr/testify/require"
	"github.com/tokentray/tokentray/auth"
	"github.com/tokentray/tokentray/ui/session/sessiontest"
)

func TestEditorValidatesInline(t *testing.T) {
	f := sessiontest.New(t)
	addDomainProfile(t, f, "dev")
	m, _ := open(t, f)
	m.AddProfile()
	e := m.editor
	require.True(t, e.content.Visible())

	// Nothing typed yet: no messages.
	for _, l := range []string{e.nameMsg.Text, e.whereMsg.Text, e.clientIDMsg.Text, e.secretMsg.Text} {
		require.Empty(t, l)
	}

	for _, tc := range []struct {
		name  string
		entry func()
		msg   func() string
		want  string
	}{
		{"bad name", func() { test.Type(e.name, "my profile") }, func() string { return e.nameMsg.Text },
			`Invalid profile name "my profile": use 1 to 64 letters, digits, '.', '_' or '-'.`},
		{"name taken", func() { e.name.SetText(""); test.Type(e.name, "dev") }, func() string { return e.nameMsg.Text },
			"A profile named dev exists already: choose another name."},
		{"domain with a path", func() { test.Type(e.where, "acme.auth0.com/oauth/token") }, func() string { return e.whereMsg.Text },
			`Invalid domain "https://acme.auth0.com/oauth/token": give only the host name, without a path.`},
		{"plain http issuer", func() {
			e.kind.SetSelected(KindIssuer)
			e.where.SetText("")
			test.Type(e.where, "http://issuer.example.com")
		}, func() string { return e.whereMsg.Text },
			`Issuer "http://issuer.example.com": insecure URL: use https (http is allowed only for 127.0.0.1, ::1 and localhost).`},
		{"public client with a secret", func() {
			e.method.SetSelected(MethodNone)
			test.Type(e.clientSecret, "s3cret")
		}, func() string { return e.secretMsg.Text },
			"A public client has no secret: clear it, or choose client_secret_post."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.entry()
			require.Equal(t, tc.want, tc.msg())
		})
	}

	t.Run("save shows every missing field", func(t *testing.T) {
		m.AddProfile()
		test.Tap(e.saveBtn)
		require.Equal(t, "Client ID is required.", e.clientIDMsg.Text)
		require.Equal(t, "Auth0 domain is required.", e.whereMsg.Text)
		require.Equal(t, "Fix the fields marked above, then save again.", e.formMsg.Text)
		f.Settle(t)
		names, err := f.Engine.Names(context.Background())
		require.NoError(t, err)
		require.Equal(t, []string{"dev"}, names, "nothing saved")
	})
}

func TestEditorSavesNormalisedProfile(t *testing.T) {
	f := sessiontest.New(t)
	m, _ := open(t, f)
	m.AddProfile()
	e := m.editor
	test.Type(e.name, "acme")
	test.Type(e.where, "https://ACME.eu.auth0.com/")
	require.Equal(t, "Saved as acme.eu.auth0.com", e.whereHint.Text)
	require.Empty(t, e.whereMsg.Text)
	test.Type(e.clientID, "  client-1 ")
	test.Type(e.clientSecret, "shh")
	test.Type(e.scope, "openid   offline_access")
	test.Type(e.refreshToken, "v1.refresh-token")
	require.True(t, e.clientSecret.Password, "the secret is masked")
	require.True(t, e.refreshToken.Password, "the refresh token is masked")

	test.Tap(e.saveBtn)
	f.Settle(t)
	p, err := f.Engine.Profile(context.Background(), "acme")
	require.NoError(t, err)
	require.Equal(t, auth.Profile{Name: "acme", Domain: "acme.eu.auth0.com", ClientID: "client-1", ClientSecret: "shh",
		AuthMethod: auth.AuthPost, Scope: "openid offline_access"}, p)
	rt, ok := f.Store.Secret("acme", auth.SecretRefreshToken)
	require.True(t, ok)
	require.Equal(t, "v1.refresh-token", rt)
	require.Equal(t, "Saved acme.", m.status.Text)
	require.True(t, m.inspector.content.Visible())
	require.Equal(t, "acme", m.inspector.title.Text)
	require.Equal(t, "acme", rowOf(t, m, "acme").title.Text)

	t.Run("edit keeps the name and the stored secret", func(t *testing.T) {
		test.Tap(button(t, m.inspector.content, LabelEdit))
		f.Settle(t)
		require.True(t, e.content.Visible())
		require.True(t, e.name.Disabled())
		require.Equal(t, "shh", e.clientSecret.Text)
		e.audience.SetText("https://api.example.com")
		test.Tap(e.saveBtn)
		f.Settle(t)
		p, err := f.Engine.Profile(context.Background(), "acme")
		require.NoError(t, err)
		require.Equal(t, "https://api.example.com", p.Audience)
		require.Equal(t, "shh", p.ClientSecret)
	})
	t.Run("a keychain failure is shown, nothing is lost from the form", func(t *testing.T) {
		m.AddProfile()
		test.Type(e.name, "other")
		test.Type(e.where, "other.auth0.com")
		test.Type(e.clientID, "c")
		f.Store.SetErr(auth.ErrKeychainTimeout)
		test.Tap(e.saveBtn)
		f.Settle(t)
		f.Store.SetErr(nil)
		require.Equal(t, "Not saved. The keychain did not answer: an unlock prompt may be waiting on your screen.", e.formMsg.Text)
		require.Equal(t, "other", e.name.Text)
		require.True(t, e.content.Visible())
	})
}

func TestDeleteAsksFirst(t *testing.T) {
	f := sessiontest.New(t)
	addDomainProfile(t, f, "dev")
	addDomainProfile(t, f, "prod")
	m, w := open(t, f)
	m.Inspect("dev")

	test.Tap(button(t, m.inspector.content, LabelDelete))
	top := w.Canvas().Overlays().Top()
	require.NotNil(t, top, "a confirmation dialog")
	test.Tap(button(t, top, "Keep"))
	f.Settle(t)
	names, _ := f.Engine.Names(context.Background())
	require.Equal(t, []string{"dev", "prod"}, names)

	test.Tap(button(t, m.inspector.content, LabelDelete))
	top = w.Canvas().Overlays().Top()
	require.NotNil(t, top)
	require.True(t, hasLabel(top, DeleteTitle("dev")), "the dialog names the profile")
	test.Tap(button(t, top, "Delete"))
	f.Settle(t)
	names, _ = f.Engine.Names(context.Background())
	require.Equal(t, []string{"prod"}, names)
	require.Equal(t, "Deleted dev.", m.status.Text)
	require.Len(t, m.Rows(), 1)
	require.False(t, m.inspector.content.Visible())
	_, shown := rowViews(m)["dev"]
	require.False(t, shown)
}

func hasLabel(o fyne.CanvasObject, text string) bool {
	for _, c := range test.LaidOutObjects(o) {
		if l, ok := c.(*widget.Label); ok && l.Text == text {
			return true
		}
	}
	return false
}

// TestSavedButTheRefreshTokenWasNot: a profile stored without the pasted
// refresh token exists; the editor says so and a retry is an edit.
func TestSavedButTheRefreshTokenWasNot(t *testing.T) {
	f := sessiontest.New(t)
	m, _ := open(t, f)
	m.AddProfile()
	e := m.editor
	test.Type(e.name, "dev")
	test.Type(e.where, "dev.auth0.com")
	test.Type(e.clientID, "c")
	test.Type(e.refreshToken, "v1.pasted")
	f.Store.SetSaveSecretErr(fmt.Errorf("write: %w", auth.ErrKeychainTimeout))
	test.Tap(e.saveBtn)
	f.Settle(t)

	want := "Saved dev, but the refresh token was not stored: the keychain did not answer: an unlock prompt may be waiting on your screen."
	require.Equal(t, want, e.formMsg.Text)
	require.Equal(t, want, m.status.Text)
	require.True(t, e.content.Visible(), "the editor stays, to try again")
	require.Equal(t, "Edit dev", e.title.Text)
	require.True(t, e.name.Disabled())
	require.Equal(t, "v1.pasted", e.refreshToken.Text, "the pasted token is kept for the retry")
	_, err := f.Engine.Profile(context.Background(), "dev")
	require.NoError(t, err, "the profile was saved")
	require.Equal(t, "dev", rowOf(t, m, "dev").title.Text, "and is listed")

	f.Store.SetSaveSecretErr(nil)
	test.Tap(e.saveBtn)
	f.Settle(t)
	require.Equal(t, "Saved dev.", m.status.Text)
	rt, ok := f.Store.Secret("dev", auth.SecretRefreshToken)
	require.True(t, ok)
	require.Equal(t, "v1.pasted", rt)
	require.True(t, m.inspector.content.Visible())
}

// The prompt and the extra parameters round-trip through the editor: an
// edit never drops what the command line set.
func TestEditorKeepsPromptAndParams(t *testing.T) {
	f := sessiontest.New(t)
	ctx := context.Background()
	_, err := f.Engine.AddProfile(ctx, auth.Profile{Name: "kc", Issuer: "https://id.example.com/realms/test", ClientID: "c",
		Prompt: "login select_account", Params: map[string]string{"organization": "org_123", "connection": "github"}})
	require.NoError(t, err)
	m, _ := open(t, f)
	m.Inspect("kc")
	test.Tap(button(t, m.inspector.content, LabelEdit))
	f.Settle(t)
	e := m.editor
	require.Equal(t, "login select_account", e.prompt.Selected, "a combination from the command line is kept")
	require.Equal(t, "connection=github\norganization=org_123", e.params.Text)

	e.scope.SetText("read:things")
	test.Tap(e.saveBtn)
	f.Settle(t)
	p, err := f.Engine.Profile(ctx, "kc")
	require.NoError(t, err)
	require.Equal(t, "login select_account", p.Prompt)
	require.Equal(t, map[string]string{"organization": "org_123", "connection": "github"}, p.Params)

	// A protocol field is refused under the field, with the field to use.
	test.Tap(button(t, m.inspector.content, LabelEdit))
	f.Settle(t)
	e.params.SetText("organization=org_123\nscope=admin")
	require.Equal(t, "Scope is set by tokentray itself: use the scope field.", e.paramsMsg.Text)
	e.params.SetText("organization")
	require.Equal(t, "Write each parameter as key=value on a line of its own: organization.", e.paramsMsg.Text)
	e.params.SetText("")
	e.prompt.SetSelected(PromptDefault)
	test.Tap(e.saveBtn)
	f.Settle(t)
	p, _ = f.Engine.Profile(ctx, "kc")
	require.Empty(t, p.Prompt)
	require.Empty(t, p.Params)
}

// "Tokens from: Client credentials" makes a machine-to-machine profile: it
// needs the secret, has nothing to sign in with, and saves its grant.
func TestEditorMachineToMachine(t *testing.T) {
	f := sessiontest.New(t)
	m, _ := open(t, f)
	m.AddProfile()
	e := m.editor
	require.Equal(t, GrantSignIn, e.grant.Selected, "a sign-in by default")
	test.Type(e.name, "billing")
	test.Type(e.where, "acme.eu.auth0.com")
	test.Type(e.clientID, "m2m-1")
	e.grant.SetSelected(GrantClientCredentials)
	require.True(t, e.signInBtn.Disabled(), "nothing to sign in")
	require.True(t, e.callbackPort.Disabled())
	require.True(t, e.prompt.Disabled())
	require.True(t, e.refreshToken.Disabled())
	test.Tap(e.saveBtn)
	f.Settle(t)
	require.Equal(t, "Client credentials need the application's client secret.", e.secretMsg.Text)
	_, err := f.Engine.Profile(context.Background(), "billing")
	require.ErrorIs(t, err, auth.ErrNotFound, "not saved without the secret")

	test.Type(e.clientSecret, "m2m-secret")
	e.audience.SetText("https://api.example.com")
	test.Tap(e.saveBtn)
	f.Settle(t)
	p, err := f.Engine.Profile(context.Background(), "billing")
	require.NoError(t, err)
	require.Equal(t, auth.Profile{Name: "billing", Domain: "acme.eu.auth0.com", ClientID: "m2m-1", ClientSecret: "m2m-secret",
		AuthMethod: auth.AuthPost, Audience: "https://api.example.com", Grant: auth.GrantClientCredentials}, p)

	// Back to a sign-in: the sign-in fields come back.
	e.grant.SetSelected(GrantSignIn)
	require.False(t, e.signInBtn.Disabled())
	require.False(t, e.callbackPort.Disabled())
	e.edit(p)
	require.Equal(t, GrantClientCredentials, e.grant.Selected, "an edit shows the saved grant")
}

// The refresh token's lifetimes are typed as users write them, checked as
// typed, saved, and the inspector says when to sign in again.
func TestEditorRefreshLifetimes(t *testing.T) {
	f := sessiontest.New(t)
	m, _ := open(t, f)
	m.AddProfile()
	e := m.editor
	test.Type(e.name, "dev")
	test.Type(e.where, "acme.eu.auth0.com")
	test.Type(e.clientID, "c")
	test.Type(e.lifetime, "30 days")
	require.Equal(t, `Invalid lifetime "30 days": use whole days (30d) or a duration (12h).`, e.lifetimeMsg.Text)
	e.lifetime.SetText("30d")
	test.Type(e.idle, "36h")
	require.Empty(t, e.lifetimeMsg.Text)
	e.keepSignedIn.SetChecked(true)
	e.refreshToken.SetText("rt-1")
	test.Tap(e.saveBtn)
	f.Settle(t)
	p, err := f.Engine.Profile(context.Background(), "dev")
	require.NoError(t, err)
	require.Equal(t, 30*24*time.Hour, p.RefreshLifetime)
	require.Equal(t, 36*time.Hour, p.RefreshIdle)
	require.True(t, p.KeepSignedIn)
	require.Contains(t, m.inspector.signInBy.Text, "(sign in again in 2 days)", "36 h unused, rounded")

	e.edit(p)
	require.Equal(t, "30d", e.lifetime.Text)
	require.Equal(t, "36h0m0s", e.idle.Text)
	require.True(t, e.keepSignedIn.Checked)
}
