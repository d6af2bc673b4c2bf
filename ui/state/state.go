// Package state is the one place that decides where a profile's token
// stands and how that is worded: its State, the countdown, the tray label.
// The tray menu, the main window and the session share it, so they always
// agree. It imports no fyne: the colour a state is drawn in is ui/widgets'.
package state

import (
	"errors"
	"fmt"
	"time"

	"github.com/tokentray/tokentray/auth"
	"github.com/tokentray/tokentray/ui/text"
)

// SoonWindow is how long before expiry a token counts as running out.
const SoonWindow = 5 * time.Minute

// State is where a profile's access token stands at one moment.
type State int

// States, in the order a token usually passes through them.
const (
	None    State = iota // no access token cached yet; the next copy fetches one
	Fresh                // valid for SoonWindow or longer (or without expiry)
	Soon                 // valid, but for less than SoonWindow
	Expired              // expired; the next copy refreshes it
	SignIn               // no refresh token, or the issuer rejected it
	Error                // the keychain or the issuer failed; see Subject.Err
)

// String is the state's name as used in tray labels.
func (s State) String() string {
	switch s {
	case Fresh, Soon:
		return "valid"
	case Expired:
		return "expired"
	case SignIn:
		return "sign in needed"
	case Error:
		return "error"
	}
	return "no token yet"
}

// Subject is what a countdown or a tray label describes: one profile's
// cached token and what is known to be wrong with it.
type Subject struct {
	Token          auth.Token // the cached access token; zero when none
	NoRefreshToken bool       // nothing to refresh with: a sign-in is needed once Token expires
	Rejected       bool       // the issuer rejected the refresh token: a sign-in is needed now
	Err            error      // the profile could not be read or the last refresh failed
	SignInBy       time.Time  // when the refresh token runs out (auth.Status.SignInBy); zero: unknown
}

// SignInShown is how far ahead the tray label says when a sign-in will be
// needed: closer than that it matters, further off it would only lengthen
// every label (Auth0's default absolute lifetime is 30 days).
const SignInShown = 7 * 24 * time.Hour

// SubjectOf combines what the engine reports about a profile with the last
// error a tray or window action met for it (nil when none, or when it is
// older than the cached token).
func SubjectOf(st auth.Status, lastErr error) Subject {
	s := Subject{Token: st.Token, Err: st.Err, SignInBy: st.SignInBy}
	// A machine-to-machine profile has no refresh token to miss: its
	// client credentials get the next token.
	if st.Err == nil && !st.HasRefreshToken && !st.Profile.Machine() {
		s.NoRefreshToken = true
	}
	switch {
	case lastErr == nil:
	case errors.Is(lastErr, auth.ErrNeedsLogin):
		s.Rejected = true
	case s.Err == nil:
		s.Err = lastErr
	}
	return s
}

// State classifies the subject at now.
func (s Subject) State(now time.Time) State {
	switch {
	case s.Err != nil:
		return Error
	case s.Rejected:
		return SignIn
	case s.Token.AccessToken != "" && (s.Token.Expiry.IsZero() || s.Token.Expiry.After(now)):
		if !s.Token.Expiry.IsZero() && s.Token.Expiry.Sub(now) < SoonWindow {
			return Soon
		}
		return Fresh
	case s.NoRefreshToken:
		return SignIn
	case s.Token.AccessToken == "":
		return None
	}
	return Expired
}

// Countdown renders the remaining time as h:mm:ss, or the state's name when
// there is nothing to count down.
func (s Subject) Countdown(now time.Time) string {
	st := s.State(now)
	if st != Fresh && st != Soon {
		return st.String()
	}
	if s.Token.Expiry.IsZero() {
		return "no expiry"
	}
	left := s.Token.Expiry.Sub(now) / time.Second
	return fmt.Sprintf("%d:%02d:%02d", left/3600, left/60%60, left%60)
}

// Fraction is the part of the token's lifetime still left, 0 to 1: the
// length of the countdown's bar.
func (s Subject) Fraction(now time.Time) float64 {
	switch s.State(now) {
	case Fresh, Soon:
	default:
		return 0
	}
	if s.Token.Expiry.IsZero() {
		return 1
	}
	total := s.Token.Expiry.Sub(s.Token.ObtainedAt)
	if s.Token.ObtainedAt.IsZero() || total <= 0 {
		return 1
	}
	f := float64(s.Token.Expiry.Sub(now)) / float64(total)
	return min(max(f, 0), 1)
}

// Label is a profile's line in the tray menu: "dev · 42 min left",
// "dev · expired", "dev · sign in needed", "dev · error", with "· sign in
// again in 6 days" when the refresh token runs out within SignInShown. The
// tray updates once a minute, so it never shows seconds.
func Label(name string, s Subject, now time.Time) string {
	l := label(name, s, now)
	if st := s.State(now); !s.SignInBy.IsZero() && s.SignInBy.Sub(now) < SignInShown && st != SignIn && st != Error {
		l += " · " + text.SignInAgain(s.SignInBy, now)
	}
	return l
}

func label(name string, s Subject, now time.Time) string {
	st := s.State(now)
	if st != Fresh && st != Soon {
		return name + " · " + st.String()
	}
	if s.Token.Expiry.IsZero() {
		return name + " · no expiry"
	}
	left := s.Token.Expiry.Sub(now)
	if left < time.Minute {
		return name + " · under 1 min left"
	}
	return name + " · " + text.Duration(left) + " left"
}
