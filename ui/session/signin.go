package session

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/tokentray/tokentray/auth"
)

// ErrNoBrowser is what Open reports when the Session has no OpenURL.
var ErrNoBrowser = errors.New("no way to open a browser here")

// SignIn is a browser or device sign-in in progress.
type SignIn struct {
	Name   string
	Device bool

	cancel context.CancelFunc
}

// Cancel ends the sign-in. Its Done still runs, with an error wrapping
// context.Canceled. Safe from any goroutine.
func (si *SignIn) Cancel() { si.cancel() }

// SignInEvents are what a running sign-in reports. Each is called on the UI
// goroutine, Done after all others; nil ones are skipped.
type SignInEvents struct {
	// Browser: the authorization URL, once the browser was asked to open it,
	// with the reason it could not be (nil: it was). The sign-in keeps
	// waiting either way, so the user can open the URL by hand.
	Browser func(authURL string, openErr error)
	// Code: the device code to show (device sign-in).
	Code func(auth.DeviceCode)
	// Done: the outcome.
	Done func(SignInResult)
}

// SignInResult is the outcome of a sign-in.
type SignInResult struct {
	Name    string
	Device  bool
	Token   auth.Token // zero on failure
	Message string     // what the user is told, success or failure
	Err     error      // wraps context.Canceled when the user cancelled
}

// Cancelled reports whether the sign-in ended because it was cancelled.
func (r SignInResult) Cancelled() bool { return errors.Is(r.Err, context.Canceled) }

// StartSignIn signs in to name's issuer off the UI goroutine: in the
// browser (Engine.LoginBrowser, opening the authorization URL with OpenURL)
// or, with device, with a code to enter elsewhere (Engine.LoginDevice). The
// engine bounds it (auth.DefaultLoginTimeout); the returned SignIn cancels it
// sooner. A success clears the profile's last error and notifies; a failure
// leaves the profile as it was (its tokens are untouched), so it is not
// recorded as the profile's last error, only notified.
func (s *Session) StartSignIn(name string, device bool, ev SignInEvents) *SignIn {
	ctx, cancel := context.WithCancel(context.Background())
	si := &SignIn{Name: name, Device: device, cancel: cancel}
	res := SignInResult{Name: name, Device: device}
	// Events hop onto the UI goroutine on their own; Done waits until they
	// have been handled there, so it always comes last.
	var events sync.WaitGroup
	emit := func(f func()) {
		events.Add(1)
		s.Loop.Go(func() {}, func() {
			defer events.Done()
			f()
		})
	}
	s.Loop.Go(func() {
		defer cancel()
		defer events.Wait()
		if device {
			res.Token, res.Err = s.Engine.LoginDevice(ctx, name, func(d auth.DeviceCode) {
				emit(func() {
					if ev.Code != nil {
						ev.Code(d)
					}
				})
			})
			return
		}
		res.Token, res.Err = s.Engine.LoginBrowser(ctx, name, func(authURL string) error {
			// A browser that does not start must not end the sign-in: the
			// user can still open the URL by hand.
			err := s.open(authURL)
			emit(func() {
				if ev.Browser != nil {
					ev.Browser(authURL, err)
				}
			})
			return nil
		})
	}, func() {
		switch {
		case res.Err == nil:
			res.Message = SignedInMessage(name, res.Token, s.Engine.Now())
			s.record(name, nil)
			s.notify("tokentray", res.Message)
		case res.Cancelled():
			res.Message = "Sign-in to " + name + " cancelled."
		default:
			res.Message = fmt.Sprintf("Could not sign in to %s. %s", name, Problem(res.Err))
			s.notify("tokentray: "+name, res.Message)
		}
		if ev.Done != nil {
			ev.Done(res)
		}
	})
	return si
}

// SignedInMessage is what a successful sign-in tells the user: "Signed in
// to dev — access token valid 59 min; ID token signature verified."
func SignedInMessage(name string, t auth.Token, now time.Time) string {
	msg := "Signed in to " + name
	if v := validity(t, AccessToken, now); v != "" {
		msg += " — access token" + strings.TrimPrefix(v, " —")
	}
	switch {
	case t.IDTokenVerified:
		msg += "; ID token signature verified"
	case t.IDToken != "":
		msg += "; ID token not verified"
	}
	return msg + "."
}

func (s *Session) open(raw string) error {
	if s.OpenURL == nil {
		return ErrNoBrowser
	}
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("open %s: %w", raw, err)
	}
	return s.OpenURL(u)
}

// Open shows raw in the user's browser off the UI goroutine (opening can
// block) and hands the outcome to done (may be nil) on the UI goroutine.
func (s *Session) Open(raw string, done func(error)) {
	var err error
	s.Loop.Go(func() { err = s.open(raw) }, func() {
		if done != nil {
			done(err)
		}
	})
}

// CopyText puts text that is no secret (a device sign-in's user code, a
// link) on the clipboard off the UI goroutine and hands the outcome to done
// (may be nil) on the UI goroutine. No auto-clear: it is not a token.
func (s *Session) CopyText(text string, done func(error)) {
	var err error
	s.Loop.Go(func() { err = s.Clipboard.WriteAll(text) }, func() {
		if done != nil {
			done(err)
		}
	})
}

// SignOutResult is the outcome of a sign-out.
type SignOutResult struct {
	Name    string
	Local   bool   // the tokens were to be removed even if revocation failed
	Message string // what the user is told
	// Err is why the sign-out did not fully work. When it wraps
	// auth.ErrRevocation without Local, the tokens were kept and the user
	// may remove them locally anyway; with Local they were removed.
	Err error
}

// RevocationFailed reports whether the issuer did not confirm the
// revocation (so, unless Local, the tokens were kept).
func (r SignOutResult) RevocationFailed() bool { return errors.Is(r.Err, auth.ErrRevocation) }

// SignOut revokes name's refresh token at the issuer and removes its tokens
// from the keychain (Engine.Logout) off the UI goroutine; with local the
// tokens are removed even if the revocation fails. done (may be nil) gets the
// outcome on the UI goroutine.
func (s *Session) SignOut(name string, local bool, done func(SignOutResult)) {
	res := SignOutResult{Name: name, Local: local}
	s.Loop.Go(func() {
		ctx, cancel := context.WithTimeout(context.Background(), Timeout)
		defer cancel()
		res.Err = s.Engine.Logout(ctx, name, auth.LogoutOptions{EvenIfNotRevoked: local})
	}, func() {
		switch {
		case res.Err == nil:
			res.Message = "Signed out of " + name + ": the issuer revoked the refresh token and the tokens were removed from the keychain."
			s.record(name, nil)
		case res.RevocationFailed() && local:
			res.Message = "Removed the tokens of " + name + " from the keychain, but the issuer did not revoke the refresh token: it may stay valid until it expires."
			s.record(name, nil)
		case res.RevocationFailed():
			res.Message = "Not signed out of " + name + ": " + revocationProblem(res.Err) + " The tokens were kept."
		default:
			res.Message = "Could not sign out of " + name + ". " + Problem(res.Err)
		}
		if done != nil {
			done(res)
		}
	})
}
