package session

import (
	"context"

	"github.com/tokentray/tokentray/auth"
)

// PasteClipboard reads the clipboard off the UI goroutine (a round trip to
// the display server, or a tool's start) and hands its text to done on it.
func (s *Session) PasteClipboard(done func(text string, err error)) {
	var text string
	var err error
	s.Loop.Go(func() { text, err = s.Clipboard.ReadAll() }, func() { done(text, err) })
}

// Verify checks a pasted JWT's signature against its own issuer's keys
// (auth.Engine.VerifyJWT) off the UI goroutine, within Timeout. The token
// is not stored.
func (s *Session) Verify(raw string, done func(auth.Verification, error)) {
	var v auth.Verification
	var err error
	s.Loop.Go(func() {
		ctx, cancel := context.WithTimeout(context.Background(), Timeout)
		defer cancel()
		v, err = s.Engine.VerifyJWT(ctx, raw, "")
	}, func() { done(v, err) })
}

// KeepSignedIn refreshes name's token off the UI goroutine, so that the
// refresh token's inactivity lifetime starts again (auth.Profile's
// KeepSignedIn); nothing is copied. The row follows through the engine's
// change notice; a failure is recorded for it like a failed copy's.
func (s *Session) KeepSignedIn(name string) {
	var err error
	s.Loop.Go(func() {
		ctx, cancel := context.WithTimeout(context.Background(), Timeout)
		defer cancel()
		_, err = s.Engine.Token(ctx, name, auth.TokenOptions{ForceRefresh: true})
	}, func() { s.record(name, err) })
}
