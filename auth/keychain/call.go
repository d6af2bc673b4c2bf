package keychain

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os/exec"
	"strings"
	"time"

	"github.com/godbus/dbus/v5"
	"github.com/tokentray/tokentray/auth"
	"github.com/zalando/go-keyring"
)

// backend reads and writes single keychain items. Calls may block without
// limit (go-keyring waits for unlock prompts forever); Store bounds them.
// Errors are the backend's own (keyring.ErrNotFound for a missing item).
type backend interface {
	get(service, user string) (string, error)
	set(service, user, value string) error
	delete(service, user string) error
}

// The real backend is defaultBackend: go-keyring on macOS and Windows, its
// Secret Service client used directly on Linux.

// errDeadline is the cause of a Store operation's own deadline, telling it
// apart from the caller's cancellation or deadline.
var errDeadline = errors.New("keychain operation deadline")

// begin starts one Store method: all backend calls it makes share one
// deadline, so the method as a whole never outlives s.timeout.
func (s *Store) begin(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeoutCause(ctx, s.timeout, errDeadline)
}

// lock takes a channel semaphore, giving up with ctx. Store uses channels
// instead of sync.Mutex because waiting for a lock must end with the deadline
// like everything else.
func (s *Store) lock(ctx context.Context, sem chan struct{}) (unlock func(), err error) {
	if ctx.Err() != nil {
		return nil, s.ctxErr(ctx, true)
	}
	select {
	case sem <- struct{}{}:
		return func() { <-sem }, nil
	case <-ctx.Done():
		return nil, s.ctxErr(ctx, true)
	}
}

// call runs one backend call in a goroutine and waits for it, for ctx or for
// the operation's deadline. go-keyring has no context, so a call that is
// given up on keeps running in the background; it holds s.busy until it
// returns, and later calls wait for it (see Store.busy).
func (s *Store) call(ctx context.Context, fn func() error) error {
	if ctx.Err() != nil {
		return s.ctxErr(ctx, false)
	}
	select {
	case s.busy <- struct{}{}:
	case <-ctx.Done():
		return s.ctxErr(ctx, true)
	}
	done := make(chan error, 1)
	go func() {
		defer func() { <-s.busy }()
		done <- fn()
	}()
	select {
	case err := <-done:
		return mapError(err)
	case <-ctx.Done():
		return s.ctxErr(ctx, false)
	}
}

// Settle implements auth.Store: a backend call that was given up on holds
// s.busy until it returns, so having the semaphore once means every call
// started before has ended, a late write included.
func (s *Store) Settle(ctx context.Context) error {
	select {
	case s.busy <- struct{}{}:
		<-s.busy
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (s *Store) get(ctx context.Context, user string) (string, error) {
	var v string
	err := s.call(ctx, func() (err error) {
		v, err = s.be.get(s.service, user)
		return err
	})
	if err != nil {
		// v may still be written by an abandoned call: do not touch it.
		return "", err
	}
	return v, nil
}

func (s *Store) set(ctx context.Context, user, value string) error {
	return s.call(ctx, func() error { return s.be.set(s.service, user, value) })
}

func (s *Store) del(ctx context.Context, user string) error {
	return s.call(ctx, func() error { return s.be.delete(s.service, user) })
}

// ctxErr explains why ctx ended: the Store's own deadline becomes an
// ErrKeychainTimeout, the caller's cancellation or deadline stays what it is.
// queued says whether the call was still waiting for an earlier one.
func (s *Store) ctxErr(ctx context.Context, queued bool) error {
	if context.Cause(ctx) == errDeadline {
		return &keychainError{kind: auth.ErrKeychainTimeout, problem: timeoutProblem(s.timeout, queued), advice: timeoutAdvice}
	}
	return ctx.Err()
}

func timeoutProblem(d time.Duration, queued bool) string {
	if queued {
		return fmt.Sprintf("the keychain did not answer within %v: an earlier request is still waiting for it", d)
	}
	return fmt.Sprintf("the keychain did not answer within %v", d)
}

// Advice for the errors callers get, so the UI can show them as they are.
const (
	timeoutAdvice = "it is probably waiting for an unlock prompt: answer the prompt or unlock the login keyring, then retry"
	lockedAdvice  = "unlock it (log in to your desktop session, or unlock the \"Login\" keyring in Seahorse / Passwords and Keys) and retry"
	noSSAdvice    = "install and start gnome-keyring (or KeePassXC with its Secret Service integration enabled) — tokentray never stores secrets in plain files"
	noBusAdvice   = "run tokentray inside a desktop session (DBUS_SESSION_BUS_ADDRESS must point at its bus) with gnome-keyring or another Secret Service — tokentray never stores secrets in plain files"
)

// keychainError is a keychain failure that callers branch on with
// errors.Is(err, kind), with a message saying what to do next. cause is the
// backend's error: D-Bus and Keychain errors name items and services, never
// secret values, so it is safe to show.
type keychainError struct {
	kind    error
	problem string
	advice  string
	cause   error
}

func (e *keychainError) Error() string {
	if e.cause != nil {
		return fmt.Sprintf("%s (%v): %s", e.problem, e.cause, e.advice)
	}
	return e.problem + ": " + e.advice
}

func (e *keychainError) Unwrap() []error {
	if e.cause != nil {
		return []error{e.kind, e.cause}
	}
	return []error{e.kind}
}

// mapError turns go-keyring's errors into auth's sentinels. The Secret
// Service cases are recognised by what go-keyring and godbus return on
// Linux; on macOS and Windows only ErrNotFound is mapped and anything else
// passes through.
func mapError(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, keyring.ErrNotFound) {
		return auth.ErrNotFound
	}
	var name string
	var de dbus.Error
	var dep *dbus.Error
	switch {
	case errors.As(err, &de):
		name = de.Name
	case errors.As(err, &dep):
		name = dep.Name
	}
	switch {
	// go-keyring unlocks the collection before every call; when the unlock
	// prompt is dismissed or cannot be shown it reports this.
	case strings.Contains(err.Error(), "failed to unlock correct collection"),
		name == "org.freedesktop.Secret.Error.IsLocked":
		return &keychainError{kind: auth.ErrKeychainLocked, problem: "the login keyring is locked", advice: lockedAdvice, cause: err}
	// A bus without a Secret Service: "The name org.freedesktop.secrets
	// was not provided by any .service files".
	case name == "org.freedesktop.DBus.Error.ServiceUnknown",
		name == "org.freedesktop.DBus.Error.NameHasNoOwner":
		return &keychainError{kind: auth.ErrKeychainUnavailable, problem: "no Secret Service found on the session bus", advice: noSSAdvice, cause: err}
	case isNoBus(err, name):
		return &keychainError{kind: auth.ErrKeychainUnavailable, problem: "cannot reach the D-Bus session bus", advice: noBusAdvice, cause: err}
	case errors.Is(err, keyring.ErrSetDataTooBig):
		// Cannot happen with chunks of at most maxChunkSize; kept explicit
		// so that it is not mistaken for a keychain outage.
		return fmt.Errorf("value too large for one keychain item (lower the chunk size): %w", err)
	}
	return err
}

// isNoBus recognises godbus failing to connect: a socket that is not there
// or refuses ("dial unix ...: connect: ..."), no address and no dbus-launch
// to start one ("exec: \"dbus-launch\": executable file not found"), a bad
// address or failed authentication (godbus's own "dbus: ..." errors), or a
// bus that went away.
func isNoBus(err error, name string) bool {
	var oe *net.OpError
	var ee *exec.Error
	if errors.As(err, &oe) || errors.As(err, &ee) || errors.Is(err, dbus.ErrClosed) ||
		name == "org.freedesktop.DBus.Error.Disconnected" ||
		name == "org.freedesktop.DBus.Error.NoServer" {
		return true
	}
	msg := err.Error()
	for _, p := range []string{"dbus: couldn't determine address", "dbus: invalid bus address", "dbus: invalid address", "dbus: unsupported address", "dbus: authentication"} {
		if strings.HasPrefix(msg, p) {
			return true
		}
	}
	return false
}
