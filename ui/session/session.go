// Package session is what the tray menu and the main window do with the
// engine, so that both behave the same: copy a token to the clipboard (with
// a notification, an optional auto-clear that only wipes the token tokentray
// put there, and the last error per profile for the labels), sign in (in the
// browser or with a device code, cancellable) and out, add, edit and delete
// profiles, and keep the one copy of the profiles' rows that both show,
// re-reading only the profile that changed. Keychain and network work runs
// off Fyne's UI goroutine and notifications on a goroutine of their own; the
// results come back onto the UI goroutine. It holds no fyne.App and does not
// import fyne/v2/app, so fyne/v2/test runs it headless.
package session

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"sync"
	"time"

	"github.com/tokentray/tokentray/auth"
	"github.com/tokentray/tokentray/ui/state"
	"github.com/tokentray/tokentray/ui/text"
)

// Timeout bounds one action (keychain plus issuer) started from the GUI.
const Timeout = 2 * time.Minute

// ErrNoClipboardTool is returned by a Clipboard when the system has no
// clipboard to talk to (on Wayland without wl-clipboard).
var ErrNoClipboardTool = errors.New("no clipboard tool (wl-copy) is installed")

// Clipboard is the system clipboard. Implementations may shell out and be
// slow, so Session calls them only off the UI goroutine; they must be safe
// for concurrent use.
type Clipboard interface {
	ReadAll() (string, error)
	WriteAll(text string) error
}

// What is the value an action copies.
type What int

// Values to copy.
const (
	AccessToken What = iota // the access token
	IDToken                 // the OIDC ID token
	Header                  // "Authorization: Bearer <access token>"
)

func (w What) String() string {
	switch w {
	case IDToken:
		return "ID token"
	case Header:
		return "Authorization header"
	}
	return "Access token"
}

// Request is one copy action.
type Request struct {
	Name  string
	What  What
	Force bool // refresh even if the cached token is still valid
}

// Result is the outcome of a copy, handed to the caller on the UI goroutine.
type Result struct {
	Request
	Message string     // what the user is told, success or failure
	Token   auth.Token // the token set the value came from (zero on failure)
	Err     error
}

// Row is one profile as the tray and the window show it.
type Row struct {
	Status  auth.Status
	Subject state.Subject
	Failure error // the last failed action's error, in full (nil: none, or outdated)
}

// Name is the profile's name.
func (r Row) Name() string { return r.Status.Name() }

// CanSignIn reports whether the profile can sign in from here: its record
// was read, and it gets tokens from an Auth0 domain or an OIDC issuer. A
// bare token URL gives no authorization or device endpoint to sign in with,
// and a machine-to-machine profile has no user to sign in.
func (r Row) CanSignIn() bool {
	p := r.Status.Profile
	return r.Status.Err == nil && p.TokenURL == "" && !p.Machine()
}

// LastErr is the error of the last failed action on the profile, nil when
// the last action succeeded or the token is newer than the failure.
func (r Row) LastErr() error {
	if r.Status.Err != nil {
		return r.Status.Err
	}
	return r.Failure
}

type failure struct {
	err error
	at  time.Time
}

// Session is the GUI's shared state over one Engine: the profiles' rows,
// their last errors and the clipboard's auto-clear. Its methods must be
// called on the UI goroutine (they only start work); the fields must be set
// before the first call.
type Session struct {
	Engine    *auth.Engine
	Clipboard Clipboard
	Loop      Loop
	// Notify shows a desktop notification; nil shows none. It is called
	// on a goroutine of its own, one notification at a time, never on the
	// UI goroutine: Fyne's SendNotification is a D-Bus call that waits for
	// the notification daemon without a timeout.
	Notify func(title, body string)
	// OpenURL shows a web page in the user's browser (fyne.App.OpenURL);
	// nil opens nothing and the user is told to open pages by hand. It may
	// block (it waits for the opener on Windows and macOS), so it is only
	// called off the UI goroutine.
	OpenURL func(*url.URL) error
	// AfterFunc is time.AfterFunc (tests replace it).
	AfterFunc func(d time.Duration, f func()) (stop func() bool)

	watchEngine sync.Once

	mu       sync.Mutex
	failures map[string]failure

	rows  rows
	clip  clip
	notes notes
}

// record keeps err (nil: success) as the profile's last outcome and tells
// watchers when that changed. UI goroutine.
func (s *Session) record(name string, err error) {
	s.mu.Lock()
	if s.failures == nil {
		s.failures = map[string]failure{}
	}
	_, had := s.failures[name]
	if err == nil {
		delete(s.failures, name)
	} else {
		s.failures[name] = failure{err: err, at: s.Engine.Now()}
	}
	s.mu.Unlock()
	if had || err != nil {
		s.failureChanged(name)
	}
}

// lastErr is the profile's last failure unless the cached token is newer
// (another process, or the CLI, refreshed it since).
func (s *Session) lastErr(name string, t auth.Token) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	f, ok := s.failures[name]
	if !ok || (!t.ObtainedAt.IsZero() && t.ObtainedAt.After(f.at)) {
		return nil
	}
	return f.err
}

// row combines a status with the profile's last error.
func (s *Session) row(st auth.Status) Row {
	err := s.lastErr(st.Name(), st.Token)
	return Row{Status: st, Subject: state.SubjectOf(st, err), Failure: err}
}

// Copy gets a token for r (cached while valid, refreshed otherwise or when
// r.Force), writes the requested value to the clipboard, and then, on the
// UI goroutine: records the outcome, notifies, and calls done (may be nil).
func (s *Session) Copy(r Request, done func(Result)) {
	res := Result{Request: r}
	var value string
	var fetchErr error
	s.Loop.Go(func() {
		ctx, cancel := context.WithTimeout(context.Background(), Timeout)
		defer cancel()
		res.Token, value, fetchErr = s.fetch(ctx, r)
		res.Err = fetchErr
		if res.Err == nil {
			if err := s.writeToken(value); err != nil {
				res.Err = fmt.Errorf("copy to the clipboard: %w", err)
			}
		}
	}, func() {
		if res.Err != nil {
			res.Message = fmt.Sprintf("Could not copy the %s for %s. %s", lower(r.What), r.Name, Problem(res.Err))
			// A clipboard failure says nothing about the token.
			s.record(r.Name, fetchErr)
			s.notify("tokentray: "+r.Name, res.Message)
		} else {
			res.Message = fmt.Sprintf("%s for %s copied%s", r.What, r.Name, validity(res.Token, r.What, s.Engine.Now()))
			s.record(r.Name, nil)
			s.notify("tokentray", res.Message)
		}
		if done != nil {
			done(res)
		}
	})
}

func (s *Session) fetch(ctx context.Context, r Request) (auth.Token, string, error) {
	t, err := s.Engine.Token(ctx, r.Name, auth.TokenOptions{ForceRefresh: r.Force, IDToken: r.What == IDToken})
	if err != nil {
		return auth.Token{}, "", err
	}
	switch r.What {
	case IDToken:
		if t.IDToken == "" {
			return t, "", text.NoIDToken(r.Name)
		}
		return t, t.IDToken, nil
	case Header:
		return t, "Authorization: " + t.Header(), nil
	}
	return t, t.AccessToken, nil
}

// validity is " — valid 59 min" for the copied value, or "".
func validity(t auth.Token, w What, now time.Time) string {
	exp := t.Expiry
	if w == IDToken {
		exp = auth.Decode(t.IDToken).Expiry()
	}
	if exp.IsZero() {
		return ""
	}
	return " — valid " + text.Duration(exp.Sub(now))
}

func lower(w What) string {
	if w == IDToken {
		return "ID token"
	}
	if w == Header {
		return "Authorization header"
	}
	return "access token"
}
