package tray_test

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
	"github.com/stretchr/testify/require"
	"github.com/tokentray/tokentray/auth"
	"github.com/tokentray/tokentray/ui/session"
	"github.com/tokentray/tokentray/ui/session/sessiontest"
	"github.com/tokentray/tokentray/ui/state"
	"github.com/tokentray/tokentray/ui/text"
	"github.com/tokentray/tokentray/ui/tray"
	"github.com/tokentray/tokentray/ui/window"
)

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func labels(m *fyne.Menu) []string {
	var out []string
	for _, it := range m.Items {
		if it.IsSeparator {
			out = append(out, "---")
			continue
		}
		out = append(out, it.Label)
	}
	return out
}

// item finds a top-level item by label.
func item(t *testing.T, m *fyne.Menu, label string) *fyne.MenuItem {
	t.Helper()
	for _, it := range m.Items {
		if it.Label == label {
			return it
		}
	}
	t.Fatalf("no item %q in %q", label, labels(m))
	return nil
}

func row(name string, st auth.Status, lastErr error) session.Row {
	st.Profile.Name = name
	return session.Row{Status: st, Subject: state.SubjectOf(st, lastErr)}
}

func TestBuildLabels(t *testing.T) {
	hour := auth.Token{AccessToken: "at", ObtainedAt: t0.Add(-18 * time.Minute), Expiry: t0.Add(42*time.Minute + 30*time.Second)}
	rows := []session.Row{
		row("dev", auth.Status{Token: hour, HasRefreshToken: true}, nil),
		row("old", auth.Status{Token: auth.Token{AccessToken: "at", Expiry: t0.Add(-time.Second)}, HasRefreshToken: true}, nil),
		row("new", auth.Status{HasRefreshToken: true}, nil),
		row("gone", auth.Status{}, nil),
		row("revoked", auth.Status{Token: hour, HasRefreshToken: true}, &auth.OAuthError{Code: "invalid_grant"}),
		row("locked", auth.Status{Err: auth.ErrKeychainLocked}, nil),
	}
	m := tray.Build(rows, nil, t0, tray.Handlers{})
	require.Equal(t, []string{
		"dev · 42 min left",
		"old · expired",
		"new · no token yet",
		"gone · sign in needed",
		"revoked · sign in needed",
		"locked · error",
		"---",
		tray.LabelOpen,
		tray.LabelAdd,
	}, labels(m))
	require.Equal(t, []string{tray.LabelCopy, tray.LabelRefresh, tray.LabelIDToken, tray.LabelHeader, "---",
		tray.LabelSignIn, tray.LabelDevice, tray.LabelSignOut, "---", tray.LabelInspect},
		labels(item(t, m, "dev · 42 min left").ChildMenu))
	require.Equal(t, []string{tray.LabelCopy, tray.LabelRefresh, tray.LabelIDToken, tray.LabelHeader, "---",
		tray.LabelSignIn, tray.LabelDevice, "---", tray.LabelInspect},
		labels(item(t, m, "gone · sign in needed").ChildMenu), "nothing to sign out of")
	require.Equal(t, []string{tray.LabelCopy, tray.LabelRefresh, tray.LabelIDToken, tray.LabelHeader, "---", "---", tray.LabelInspect},
		labels(item(t, m, "locked · error").ChildMenu), "an unreadable profile cannot sign in")

	t.Run("a bare token URL cannot sign in", func(t *testing.T) {
		r := row("legacy", auth.Status{Profile: auth.Profile{TokenURL: "https://issuer.example.com/oauth/token"}, HasRefreshToken: true}, nil)
		m := tray.Build([]session.Row{r}, nil, t0, tray.Handlers{})
		require.Equal(t, []string{tray.LabelCopy, tray.LabelRefresh, tray.LabelIDToken, tray.LabelHeader, "---", tray.LabelSignOut, "---", tray.LabelInspect},
			labels(m.Items[0].ChildMenu))
	})

	t.Run("a minute later", func(t *testing.T) {
		m := tray.Build(rows[:1], nil, t0.Add(time.Minute), tray.Handlers{})
		require.Equal(t, "dev · 41 min left", m.Items[0].Label)
	})
	t.Run("no profiles", func(t *testing.T) {
		m := tray.Build(nil, nil, t0, tray.Handlers{})
		require.Equal(t, []string{"No profiles yet", "---", tray.LabelOpen, tray.LabelAdd}, labels(m))
		require.True(t, m.Items[0].Disabled)
	})
	t.Run("keychain locked", func(t *testing.T) {
		m := tray.Build(nil, auth.ErrKeychainLocked, t0, tray.Handlers{})
		require.Equal(t, "The keychain is locked: unlock your login keyring, then try again.", m.Items[0].Label)
		require.True(t, m.Items[0].Disabled)
	})
}

func TestBuildWiresHandlers(t *testing.T) {
	var got []string
	h := tray.Handlers{
		Copy: func(r session.Request) {
			got = append(got, r.Name+" "+r.What.String()+map[bool]string{true: " force", false: ""}[r.Force])
		},
		Inspect: func(name string) { got = append(got, "inspect "+name) },
		SignIn: func(name string, device bool) {
			got = append(got, "sign in "+name+map[bool]string{true: " device", false: ""}[device])
		},
		SignOut:    func(name string) { got = append(got, "sign out "+name) },
		Open:       func() { got = append(got, "open") },
		AddProfile: func() { got = append(got, "add") },
	}
	m := tray.Build([]session.Row{row("dev", auth.Status{HasRefreshToken: true}, nil)}, nil, t0, h)
	dev := item(t, m, "dev · no token yet")
	dev.Action()
	for _, sub := range dev.ChildMenu.Items {
		if sub.Action != nil {
			sub.Action()
		}
	}
	item(t, m, tray.LabelOpen).Action()
	item(t, m, tray.LabelAdd).Action()
	require.Equal(t, []string{
		"dev Access token",
		"dev Access token", "dev Access token force", "dev ID token", "dev Authorization header",
		"sign in dev", "sign in dev device", "sign out dev", "inspect dev",
		"open", "add",
	}, got)
}

// sub finds an item of a profile's submenu.
func sub(t *testing.T, m *fyne.Menu, profileLabel, label string) *fyne.MenuItem {
	t.Helper()
	return item(t, item(t, m, profileLabel).ChildMenu, label)
}

func TestTrayActionsCopyTheEnginesToken(t *testing.T) {
	f := sessiontest.New(t)
	srv := f.Serve(t, 30*time.Minute)
	f.SignIn(t, "dev")
	var installed []*fyne.Menu
	tr := &tray.Tray{Session: f.Session, Now: f.Clock.Now, Install: func(m *fyne.Menu) { installed = append(installed, m) }}
	tr.Start()
	require.Len(t, installed, 1, "the tray item appears before the keychain answers")
	require.Equal(t, []string{"Reading the keychain…"}, labels(installed[0]))
	f.Settle(t)
	require.Len(t, installed, 2)
	require.Same(t, installed[0], installed[1], "one menu, updated in place")

	// Clicking the profile's entry copies a valid token and the label follows.
	item(t, tr.Menu(), "dev · no token yet").Action()
	f.Settle(t)
	first := f.Clipboard.Text()
	require.Equal(t, f.Cached(t, "dev").AccessToken, first)
	require.True(t, srv.Active(t, first))
	require.Equal(t, "tokentray: Access token for dev copied — valid "+f.Left(t, "dev"), f.Notes()[0])
	f.AtLifetime(t, "dev", 30*time.Minute)
	tr.Tick()
	require.Equal(t, "dev · 30 min left", tr.Menu().Items[0].Label)

	f.Clock.Advance(20 * time.Minute)
	tr.Tick()
	require.Equal(t, "dev · 10 min left", tr.Menu().Items[0].Label)

	// The server stamps expiry with the real clock: back to it before refreshing.
	f.Clock.Set(time.Now())
	sub(t, tr.Menu(), "dev · 10 min left", tray.LabelRefresh).Action()
	f.Settle(t)
	second := f.Clipboard.Text()
	require.NotEqual(t, first, second)
	require.True(t, srv.Active(t, second))
	require.Equal(t, f.Cached(t, "dev").AccessToken, second)
	f.AtLifetime(t, "dev", 30*time.Minute)
	tr.Tick()
	require.Equal(t, "dev · 30 min left", tr.Menu().Items[0].Label, "the label shows the refreshed token")

	sub(t, tr.Menu(), "dev · 30 min left", tray.LabelHeader).Action()
	f.Settle(t)
	require.Equal(t, "Authorization: Bearer "+second, f.Clipboard.Text())

	sub(t, tr.Menu(), "dev · 30 min left", tray.LabelIDToken).Action()
	f.Settle(t)
	require.Equal(t, f.Cached(t, "dev").IDToken, f.Clipboard.Text())
	require.Equal(t, auth.KindJWT, auth.Decode(f.Clipboard.Text()).Kind)
}

func TestTrayShowsFailures(t *testing.T) {
	f := sessiontest.New(t)
	f.Serve(t, time.Hour)
	f.SignIn(t, "dev")
	require.NoError(t, f.Engine.SetRefreshToken(context.Background(), "dev", "revoked-or-made-up"))
	tr := &tray.Tray{Session: f.Session, Now: f.Clock.Now}
	tr.Start()
	f.Settle(t)
	require.NoError(t, f.Clipboard.WriteAll("user's text"))

	item(t, tr.Menu(), "dev · no token yet").Action()
	f.Settle(t)
	require.Equal(t, "user's text", f.Clipboard.Text())
	require.Equal(t, "dev · sign in needed", tr.Menu().Items[0].Label)
	require.Contains(t, f.Notes()[0], "Could not copy the access token for dev. Sign in needed")

	f.Store.SetErr(auth.ErrKeychainLocked)
	tr.Reload()
	f.Settle(t)
	require.Equal(t, []string{session.Problem(auth.ErrKeychainLocked), "---", tray.LabelOpen, tray.LabelAdd}, labels(tr.Menu()))
}

func TestTrayWarnsOnceBeforeExpiryAndInstallsOnlyChanges(t *testing.T) {
	f := sessiontest.New(t)
	now := f.Clock.Now()
	_, err := f.Engine.AddProfile(context.Background(), auth.Profile{Name: "dev", Domain: "dev.auth0.com", ClientID: "c"})
	require.NoError(t, err)
	require.NoError(t, f.Store.SaveSecret(context.Background(), "dev", auth.SecretRefreshToken, "rt"))
	require.NoError(t, f.Store.SaveSecret(context.Background(), "dev", auth.SecretTokenCache,
		`{"access_token":"at","expiry":"`+now.Add(10*time.Minute).Format(time.RFC3339)+`","obtained_at":"`+now.Format(time.RFC3339)+`"}`))
	var warnings []string
	var installs []string
	tr := &tray.Tray{
		Session: f.Session, Now: f.Clock.Now,
		Install:    func(m *fyne.Menu) { installs = append(installs, m.Items[0].Label) },
		OnExpiring: func(name string, left time.Duration) { warnings = append(warnings, name+" "+text.Duration(left)) },
	}
	tr.Start()
	f.Settle(t)
	tr.Tick()
	require.Equal(t, []string{"Reading the keychain…", "dev · 10 min left"}, installs, "an unchanged menu is not installed again")
	require.Empty(t, warnings)

	f.Clock.Advance(5*time.Minute + time.Second)
	tr.Tick()
	require.Equal(t, []string{"dev 4 min"}, warnings)
	f.Clock.Advance(time.Minute)
	tr.Tick()
	require.Equal(t, []string{"dev 4 min"}, warnings, "once per token")
	require.Equal(t, []string{"Reading the keychain…", "dev · 10 min left", "dev · 4 min left", "dev · 3 min left"}, installs)
}

// TestTraySignInAndOut wires the tray to the window as the app does and
// signs in and out from the profile's submenu, against the real server.
func TestTraySignInAndOut(t *testing.T) {
	f := sessiontest.New(t)
	srv := f.Serve(t, 30*time.Minute)
	f.Session.OpenURL = f.Browser()
	_, err := f.Engine.AddProfile(context.Background(), f.PublicProfile("dev"))
	require.NoError(t, err)

	test.NewTempApp(t)
	w := test.NewWindow(nil)
	t.Cleanup(w.Close)
	w.Resize(fyne.NewSize(1100, 700))
	m := window.New(f.Session, f.Clock.Now, w)
	w.SetContent(m.Content())
	m.Start()
	tr := &tray.Tray{Session: f.Session, Now: f.Clock.Now, Handlers: tray.Handlers{SignIn: m.SignIn, SignOut: m.SignOut}}
	tr.Start()
	f.Settle(t)

	sub(t, tr.Menu(), "dev · sign in needed", tray.LabelSignIn).Action()
	f.Settle(t)
	tok := f.Cached(t, "dev")
	require.True(t, tok.IDTokenVerified)
	require.True(t, srv.Active(t, tok.AccessToken))
	f.AtLifetime(t, "dev", 30*time.Minute)
	tr.Tick()
	require.Equal(t, "dev · 30 min left", tr.Menu().Items[0].Label, "the label follows the sign-in")
	require.Len(t, f.Opened(), 1)
	rt, ok := f.Store.Secret("dev", auth.SecretRefreshToken)
	require.True(t, ok)

	sub(t, tr.Menu(), "dev · 30 min left", tray.LabelSignOut).Action()
	var confirm *widget.Button
	for _, o := range test.LaidOutObjects(w.Canvas().Overlays().Top()) {
		if b, ok := o.(*widget.Button); ok && b.Text == "Sign out" {
			confirm = b
		}
	}
	require.NotNil(t, confirm, "sign-out asks first")
	test.Tap(confirm)
	f.Settle(t)
	require.False(t, srv.Active(t, rt), "the refresh token was revoked at the server")
	require.Equal(t, "dev · sign in needed", tr.Menu().Items[0].Label)
	require.NotContains(t, labels(tr.Menu().Items[0].ChildMenu), tray.LabelSignOut)
}

// TestOneProfilesChangeReadsThatProfileOnly: the tray and the window share
// one copy of the rows; a change to one profile re-reads that profile, once,
// and nothing else. Every keychain read is a D-Bus round trip, and a prompt
// when the keychain is locked.
func TestOneProfilesChangeReadsThatProfileOnly(t *testing.T) {
	f := sessiontest.New(t)
	ctx := context.Background()
	now := f.Clock.Now()
	for i := range 20 {
		name := fmt.Sprintf("p%02d", i)
		_, err := f.Engine.AddProfile(ctx, auth.Profile{Name: name, Domain: name + ".auth0.com", ClientID: "c"})
		require.NoError(t, err)
		require.NoError(t, f.Store.SaveSecret(ctx, name, auth.SecretRefreshToken, "rt"))
		require.NoError(t, f.Store.SaveSecret(ctx, name, auth.SecretTokenCache,
			`{"access_token":"at","expiry":"`+now.Add(time.Hour).Format(time.RFC3339)+`","obtained_at":"`+now.Format(time.RFC3339)+`"}`))
	}
	f.Store.ResetReads()

	test.NewTempApp(t)
	w := test.NewWindow(nil)
	t.Cleanup(w.Close)
	m := window.New(f.Session, f.Clock.Now, w)
	w.SetContent(m.Content())
	m.Start()
	tr := &tray.Tray{Session: f.Session, Now: f.Clock.Now}
	tr.Start()
	f.Settle(t)
	require.Len(t, m.Rows(), 20)
	require.Equal(t, "p07 · 1 h 00 min left", tr.Menu().Items[7].Label)
	require.Equal(t, 1, f.Store.Reads()[""], "tray and window share one first read")

	f.Store.ResetReads()
	require.NoError(t, f.Engine.SetRefreshToken(ctx, "p07", "rt-2")) // drops the cached token
	engineReads := f.Store.Reads()["p07"]
	f.Settle(t)
	require.Equal(t, []string{"p07"}, keys(f.Store.Reads()), "only the changed profile was read")
	require.LessOrEqual(t, f.Store.Reads()["p07"]-engineReads, 3, "once: record, cached token, refresh token")
	require.Equal(t, "p07 · no token yet", tr.Menu().Items[7].Label, "the tray follows")
	require.Empty(t, m.Rows()[7].Status.Token.AccessToken, "and the window")

	t.Run("a new profile is read alone and listed in order", func(t *testing.T) {
		f.Store.ResetReads()
		_, err := f.Engine.AddProfile(ctx, auth.Profile{Name: "p07a", Domain: "p07a.auth0.com", ClientID: "c"})
		require.NoError(t, err)
		f.Settle(t)
		require.Equal(t, "p07a · sign in needed", tr.Menu().Items[8].Label)
		require.Equal(t, "p07a", m.Rows()[8].Name())
		require.Equal(t, 1, f.Store.Reads()[""], "AddProfile's own listing, no more")
	})
	t.Run("a removed profile is dropped without reading the others", func(t *testing.T) {
		f.Store.ResetReads()
		require.NoError(t, f.Engine.RemoveProfile(ctx, "p07a"))
		f.Settle(t)
		require.Equal(t, []string{"p07a"}, keys(f.Store.Reads()))
		require.Len(t, m.Rows(), 20)
		require.Equal(t, "p08 · 1 h 00 min left", tr.Menu().Items[8].Label)
	})
	t.Run("a reload reads everything once", func(t *testing.T) {
		f.Store.ResetReads()
		tr.Reload()
		f.Settle(t)
		require.Equal(t, 1, f.Store.Reads()[""])
		require.Len(t, f.Store.Reads(), 21)
	})
}

func keys(m map[string]int) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// A machine-to-machine profile has no user: no sign-in, no sign-out, no ID
// token; without a token it says so, not "sign in needed".
func TestMachineProfileMenu(t *testing.T) {
	t0 := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	machine := auth.Profile{Domain: "acme.auth0.com", ClientID: "m", ClientSecret: "s", Grant: auth.GrantClientCredentials}
	m := tray.Build([]session.Row{row("billing", auth.Status{Profile: machine}, nil)}, nil, t0, tray.Handlers{})
	require.Equal(t, "billing · no token yet", m.Items[0].Label)
	require.Equal(t, []string{tray.LabelCopy, tray.LabelRefresh, tray.LabelHeader, "---", "---", tray.LabelInspect},
		labels(m.Items[0].ChildMenu))
}

// A day before a refresh token runs out the tray says so, once; a profile
// that keeps signed in is refreshed instead before it lapses unused.
func TestTrayRemindsAndKeepsSignedIn(t *testing.T) {
	f := sessiontest.New(t)
	ctx := context.Background()
	t0 := f.Clock.Now()
	for _, p := range []auth.Profile{
		{Name: "dev", Domain: "dev.auth0.com", ClientID: "c", RefreshLifetime: 3 * 24 * time.Hour},
		{Name: "kept", Domain: "dev.auth0.com", ClientID: "c", RefreshIdle: 2 * 24 * time.Hour, KeepSignedIn: true},
	} {
		_, err := f.Engine.AddProfile(ctx, p)
		require.NoError(t, err)
		require.NoError(t, f.Engine.SetRefreshToken(ctx, p.Name, "rt-"+p.Name))
	}
	var reminded []string
	var kept []string
	tr := &tray.Tray{
		Session: f.Session, Now: f.Clock.Now,
		OnSignInSoon: func(name string, by time.Time) { reminded = append(reminded, name+" "+by.Sub(t0).String()) },
		KeepSignedIn: func(name string) { kept = append(kept, name) },
	}
	tr.Start()
	f.Settle(t)
	require.Empty(t, reminded)
	require.Empty(t, kept)

	// A day and a half in: "kept" lapses unused in half a day, within its
	// keep-ahead (a quarter of its two idle days).
	f.Clock.Advance(36*time.Hour + time.Minute)
	tr.Reload()
	f.Settle(t)
	require.Equal(t, []string{"kept"}, kept, "refreshed before it lapses unused")
	require.Empty(t, reminded)

	// 2 days 1 h in: dev's sign-in is due in under a day. "kept" was not
	// really refreshed here (the callback only recorded it), so it lapsed;
	// a lapsed token is not refreshed again, and it keeps signed in, so it
	// is not reminded of either.
	f.Clock.Advance(13 * time.Hour)
	tr.Tick()
	require.Equal(t, []string{"dev 72h0m0s"}, reminded)
	tr.Tick()
	require.Equal(t, []string{"dev 72h0m0s"}, reminded, "once a day")
	require.Equal(t, []string{"kept"}, kept, "once per lapse time")
}

// The review's cases: a deadline that each refresh moves only a little
// (the end of an issuer's session, stated in every answer) must not turn
// keep-signed-in into a refresh loop; an inactivity lifetime shorter than a
// day must not remind after every refresh of a profile in use.
func TestTrayRemindersDoNotRepeat(t *testing.T) {
	f := sessiontest.New(t)
	ctx := context.Background()
	_, err := f.Engine.AddProfile(ctx, auth.Profile{Name: "kc", Domain: "kc.example.com", ClientID: "c", KeepSignedIn: true})
	require.NoError(t, err)
	_, err = f.Engine.AddProfile(ctx, auth.Profile{Name: "short", Domain: "kc.example.com", ClientID: "c", RefreshIdle: 12 * time.Hour})
	require.NoError(t, err)
	session := func(name string, expires time.Time, token bool) {
		now := f.Clock.Now()
		s := map[string]any{"refresh_token": "rt", "signed_in_at": now, "refreshed_at": now}
		if !expires.IsZero() {
			s["refresh_expires_at"] = expires
		}
		if token {
			s["token"] = map[string]any{"access_token": "at", "expiry": now.Add(time.Hour), "obtained_at": now}
		}
		b, err := json.Marshal(s)
		require.NoError(t, err)
		require.NoError(t, f.Store.SaveSecret(ctx, name, auth.SecretSession, string(b)))
	}
	sessionEnd := f.Clock.Now().Add(3 * time.Minute)
	session("kc", sessionEnd, true)
	session("short", time.Time{}, true)
	var kept, reminded int
	var tr *tray.Tray
	tr = &tray.Tray{
		Session: f.Session, Now: f.Clock.Now,
		// What a real refresh near the session's end does: a new answer
		// that states (nearly) the same end.
		KeepSignedIn: func(string) {
			kept++
			sessionEnd = sessionEnd.Add(time.Second)
			session("kc", sessionEnd, true)
			tr.Reload()
		},
		OnSignInSoon: func(string, time.Time) { reminded++ },
	}
	tr.Start()
	f.Settle(t)
	for range 18 { // three minutes, a tick every ten seconds
		f.Clock.Advance(10 * time.Second)
		session("short", time.Time{}, true) // in use: refreshed each time
		tr.Reload()
		f.Settle(t)
	}
	require.LessOrEqual(t, kept, 2, "at most once per half keep-ahead")
	require.GreaterOrEqual(t, kept, 1)
	require.Zero(t, reminded, "a profile in use puts its idle deadline off")
}
