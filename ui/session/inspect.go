package session

import (
	"context"
	"strings"

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
// (auth.Engine.VerifyJWT) off the UI goroutine, within Timeout, trusting
// the CA file of a profile of that issuer if there is one. The token is
// not stored. Called on the UI goroutine.
func (s *Session) Verify(raw string, done func(auth.Verification, error)) {
	caFile := s.caFileFor(auth.Decode(raw).Issuer())
	var v auth.Verification
	var err error
	s.Loop.Go(func() {
		ctx, cancel := context.WithTimeout(context.Background(), Timeout)
		defer cancel()
		v, err = s.Engine.VerifyJWT(ctx, raw, caFile)
	}, func() { done(v, err) })
}

// caFileFor is the CA file of a profile whose issuer is iss ("" when none
// has one). UI goroutine.
func (s *Session) caFileFor(iss string) string {
	iss = strings.TrimSuffix(iss, "/")
	for _, r := range s.rows.list {
		p := r.Status.Profile
		if p.CAFile == "" {
			continue
		}
		domain := p.Domain
		if domain != "" && !strings.Contains(domain, "://") {
			domain = "https://" + domain // a domain is stored bare unless it is a loopback http one
		}
		if (p.Issuer != "" && strings.TrimSuffix(p.Issuer, "/") == iss) || (domain != "" && domain == iss) {
			return p.CAFile
		}
	}
	return ""
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
