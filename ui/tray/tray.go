// Package tray is tokentray's system tray menu: a pure builder that turns
// the profiles' states into a *fyne.Menu, and the Tray that follows the
// Session's rows and installs the menu. Clicking a profile
// copies a valid access token; its submenu has the other copy actions,
// Sign in… (browser or device code), Sign out… and Inspect…. Quit is
// appended by whoever installs the menu (ui/desktop's tray icon on Linux,
// Fyne's elsewhere).
package tray

import (
	"slices"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"github.com/tokentray/tokentray/auth"
	"github.com/tokentray/tokentray/ui/session"
	"github.com/tokentray/tokentray/ui/state"
)

// Item labels that tests and the end-to-end test look for.
const (
	LabelCopy    = "Copy access token"
	LabelRefresh = "Refresh now & copy"
	LabelIDToken = "Copy ID token"
	LabelHeader  = "Copy as Authorization header"
	LabelInspect = "Inspect…"
	LabelSignIn  = "Sign in…"
	LabelDevice  = "Sign in with a code…"
	LabelSignOut = "Sign out…"
	LabelOpen    = "Open tokentray"
	LabelAdd     = "Add profile…"
)

// Handlers are what the menu items do. Each is called on the UI goroutine
// and must return quickly; nil handlers leave their items out or inert.
type Handlers struct {
	Copy       func(session.Request) // profile entries and their copy items
	Inspect    func(name string)
	SignIn     func(name string, device bool) // in the browser, or with a device code
	SignOut    func(name string)
	Open       func()
	AddProfile func()
}

// Build returns the tray menu for rows as they stand at now. It does no I/O.
// listErr, when not nil, is why the profiles could not be listed (a locked
// keychain); it is shown instead of them.
func Build(rows []session.Row, listErr error, now time.Time, h Handlers) *fyne.Menu {
	var items []*fyne.MenuItem
	switch {
	case listErr != nil:
		items = append(items, disabled(session.Problem(listErr)))
	case len(rows) == 0:
		items = append(items, disabled("No profiles yet"))
	}
	for _, r := range rows {
		items = append(items, profileItem(r, now, h))
	}
	items = append(items,
		fyne.NewMenuItemSeparator(),
		fyne.NewMenuItem(LabelOpen, h.Open),
		fyne.NewMenuItem(LabelAdd, h.AddProfile),
	)
	return fyne.NewMenu("tokentray", items...)
}

func disabled(label string) *fyne.MenuItem {
	it := fyne.NewMenuItem(label, nil)
	it.Disabled = true
	return it
}

func profileItem(r session.Row, now time.Time, h Handlers) *fyne.MenuItem {
	name := r.Name()
	copyAction := func(w session.What, force bool) func() {
		return func() {
			if h.Copy != nil {
				h.Copy(session.Request{Name: name, What: w, Force: force})
			}
		}
	}
	signIn := func(device bool) func() {
		return func() {
			if h.SignIn != nil {
				h.SignIn(name, device)
			}
		}
	}
	it := fyne.NewMenuItem(state.Label(name, r.Subject, now), copyAction(session.AccessToken, false))
	items := []*fyne.MenuItem{
		fyne.NewMenuItem(LabelCopy, copyAction(session.AccessToken, false)),
		fyne.NewMenuItem(LabelRefresh, copyAction(session.AccessToken, true)),
	}
	if !r.Status.Profile.Machine() {
		// Client credentials come without a user, so without an ID token.
		items = append(items, fyne.NewMenuItem(LabelIDToken, copyAction(session.IDToken, false)))
	}
	items = append(items, fyne.NewMenuItem(LabelHeader, copyAction(session.Header, false)), fyne.NewMenuItemSeparator())
	if r.CanSignIn() {
		items = append(items, fyne.NewMenuItem(LabelSignIn, signIn(false)), fyne.NewMenuItem(LabelDevice, signIn(true)))
	}
	if r.Status.HasRefreshToken {
		items = append(items, fyne.NewMenuItem(LabelSignOut, func() {
			if h.SignOut != nil {
				h.SignOut(name)
			}
		}))
	}
	items = append(items, fyne.NewMenuItemSeparator(), fyne.NewMenuItem(LabelInspect, func() {
		if h.Inspect != nil {
			h.Inspect(name)
		}
	}))
	it.ChildMenu = fyne.NewMenu(name, items...)
	return it
}

// Tray keeps the installed menu up to date. Its methods must be called on
// the UI goroutine.
type Tray struct {
	Session  *session.Session
	Handlers Handlers // Copy defaults to Session.Copy
	// Install puts a menu in the system tray (desktop.App.SetSystemTrayMenu).
	Install func(*fyne.Menu)
	Now     func() time.Time
	// OnExpiring, when set, is called once per token when it has less than
	// state.SoonWindow left (noticed by Tick or Reload), on the UI
	// goroutine: it must not block, so it notifies with Session.Announce,
	// never with a direct SendNotification.
	OnExpiring func(name string, left time.Duration)
	// OnSignInSoon, when set, is called when a new sign-in is due within
	// SignInNotice (auth.Status.SignInBy) and using the profile will not
	// put it off, at most once a day per profile, on the UI goroutine,
	// under the same rules as OnExpiring.
	OnSignInSoon func(name string, by time.Time)
	// KeepSignedIn, when set, is called for a profile set to keep signed
	// in (auth.Profile.KeepSignedIn) whose refresh token would lapse
	// unused within KeepAhead, at most once per half KeepAhead: it
	// refreshes it, which pushes the lapse back.
	KeepSignedIn func(name string)
	// OnAttention, when set, is told on the UI goroutine which profiles
	// need the user and why (see Attention) whenever that changes, and once
	// at the first load: the icon shows it.
	OnAttention func(items []string)

	attention  []string // as last reported; nil before the first report
	menu       *fyne.Menu
	installed  string // the labels of the installed menu
	rows       []session.Row
	listErr    error
	warned     map[string]time.Time // profile -> expiry already warned about
	keptAt     map[string]time.Time // profile -> when a keep-signed-in refresh was last asked for
	remindedAt map[string]time.Time // profile -> when a sign-in was last said to be due
}

// SignInNotice is how long before a refresh token runs out OnSignInSoon is
// called: a day, so there is time to sign in when it suits.
const SignInNotice = 24 * time.Hour

// KeepAhead is how long before an unused refresh token lapses the tray app
// refreshes it, for a profile that keeps signed in: a day, or a quarter of
// a shorter inactivity lifetime; five minutes when only the issuer's stated
// expiry is known (Keycloak's refresh_expires_in).
func KeepAhead(p auth.Profile) time.Duration {
	switch {
	case p.RefreshIdle > 0:
		return min(24*time.Hour, p.RefreshIdle/4)
	}
	return 5 * time.Minute
}

// Start installs the first menu and keeps it current: it follows the
// Session's rows, which change with every profile's change. The owner also
// calls Tick at least once a minute so that the labels count down, and
// Reload now and then for changes made by other processes (the CLI).
func (t *Tray) Start() {
	// One menu for the app's lifetime, updated in place: Fyne's systray
	// installs the menu it was first given once the tray is ready, so a
	// replaced menu could lose that race to the first one.
	t.menu = Loading()
	if t.Install != nil {
		t.Install(t.menu)
	}
	t.Session.Watch(func(string) { t.update() })
	if t.Session.Loaded() {
		t.update()
	} else {
		t.Session.LoadOnce()
	}
}

// Reload re-reads every profile's state off the UI goroutine (through the
// Session, which the window shares); the menu follows.
func (t *Tray) Reload() { t.Session.Reload() }

func (t *Tray) update() {
	t.rows, t.listErr = t.Session.Rows()
	t.Tick()
}

// Tick rebuilds the menu from the last loaded states, for the time only:
// labels count down without reading the keychain.
func (t *Tray) Tick() {
	h := t.Handlers
	if h.Copy == nil {
		h.Copy = func(r session.Request) { t.Session.Copy(r, nil) }
	}
	now := t.Now()
	built := Build(t.rows, t.listErr, now, h)
	t.warn(now)
	t.remind(now)
	t.attend(now)
	if t.menu == nil {
		t.menu = built
	}
	t.menu.Items = built.Items
	// Installing rebuilds the whole exported menu (and its D-Bus layout):
	// skip it when no label changed, submenus included (Sign out… comes and
	// goes with the refresh token).
	var sig strings.Builder
	for _, it := range built.Items {
		sig.WriteString(it.Label)
		sig.WriteByte(0)
		if it.ChildMenu != nil {
			for _, c := range it.ChildMenu.Items {
				sig.WriteString(c.Label)
				sig.WriteByte(1)
			}
		}
	}
	if t.Install != nil && sig.String() != t.installed {
		t.installed = sig.String()
		t.Install(t.menu)
	}
}

func (t *Tray) warn(now time.Time) {
	if t.OnExpiring == nil {
		return
	}
	if t.warned == nil {
		t.warned = map[string]time.Time{}
	}
	for _, r := range t.rows {
		exp := r.Subject.Token.Expiry
		if r.Subject.State(now) == state.Soon && !t.warned[r.Name()].Equal(exp) {
			t.warned[r.Name()] = exp
			t.OnExpiring(r.Name(), exp.Sub(now))
		}
	}
}

// remind calls KeepSignedIn and OnSignInSoon for the rows that are due.
func (t *Tray) remind(now time.Time) {
	if t.keptAt == nil {
		t.keptAt, t.remindedAt = map[string]time.Time{}, map[string]time.Time{}
	}
	for _, r := range t.rows {
		st, name := r.Status, r.Name()
		if !st.HasRefreshToken || st.Err != nil {
			continue
		}
		p := st.Profile
		// Keep signed in: a refresh while the refresh token has not lapsed
		// yet, at most once per half KeepAhead. A deadline a refresh
		// cannot push back (the end of an issuer's session, stated in each
		// answer) then costs a couple of refreshes, never a loop, and a
		// refresh that failed is tried again after that interval.
		ahead := KeepAhead(p)
		if p.KeepSignedIn && t.KeepSignedIn != nil && !st.KeepBy.IsZero() && st.KeepBy.After(now) &&
			st.KeepBy.Sub(now) < ahead && now.Sub(t.keptAt[name]) >= ahead/2 {
			t.keptAt[name] = now
			t.KeepSignedIn(name)
			continue
		}
		// A sign-in due within SignInNotice: said once a day at most, and
		// not when using the profile keeps pushing the deadline back (an
		// inactivity lifetime or a stated expiry while the profile is in use
		// or kept signed in): only an absolute end, or an idle one nothing
		// is holding off.
		if t.OnSignInSoon == nil || st.SignInBy.IsZero() || st.SignInBy.Sub(now) >= SignInNotice ||
			now.Sub(t.remindedAt[name]) < SignInNotice {
			continue
		}
		idle := !st.KeepBy.IsZero() && !st.SignInBy.Before(st.KeepBy)
		if idle && (p.KeepSignedIn || st.Token.ValidFor(now, 0)) {
			continue
		}
		t.remindedAt[name] = now
		t.OnSignInSoon(name, st.SignInBy)
	}
}

// Attention says, one entry per profile of rows that needs the user at now,
// what it needs: "dev: sign in needed", "prod: the last refresh failed".
func Attention(rows []session.Row, now time.Time) []string {
	items := []string{}
	for _, r := range rows {
		switch r.Subject.State(now) {
		case state.SignIn:
			items = append(items, r.Name()+": sign in needed")
		case state.Error:
			items = append(items, r.Name()+": the last refresh failed")
		}
	}
	return items
}

func (t *Tray) attend(now time.Time) {
	if t.OnAttention == nil || !t.Session.Loaded() {
		return
	}
	names := Attention(t.rows, now)
	if t.attention != nil && slices.Equal(names, t.attention) {
		return
	}
	t.attention = names
	t.OnAttention(names)
}

// Menu is the menu installed last (nil before the first load).
func (t *Tray) Menu() *fyne.Menu { return t.menu }

// Loading is the menu shown until the profiles have been read.
func Loading() *fyne.Menu {
	return fyne.NewMenu("tokentray", disabled("Reading the keychain…"))
}
