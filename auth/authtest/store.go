// Package authtest holds fakes for testing code above the store: an
// in-memory Store, a no-op Locker and a settable clock. The real keychain
// adapter is tested against a real Secret Service in auth/keychain.
package authtest

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/tokentray/tokentray/auth"
)

// Store is an in-memory auth.Store. It is safe for concurrent use. Err, when
// set, is returned by every call (to simulate a locked keychain); Block holds
// every call (an unlock prompt nobody answers); Reads counts the reads.
type Store struct {
	mu       sync.Mutex
	profiles map[string]auth.Profile
	broken   map[string]bool
	secrets  map[string]string
	Err      error
	// saveSecretErr fails SaveSecret alone; deleteErr fails DeleteSecret
	// of one kind.
	saveSecretErr error
	deleteErr     map[auth.SecretKind]error
	reads         map[string]int // by profile name; "" for the index
	gate          chan struct{}  // while not nil, calls wait for it to close
}

// NewStore returns an empty Store.
func NewStore() *Store {
	return &Store{profiles: map[string]auth.Profile{}, broken: map[string]bool{}, secrets: map[string]string{}, reads: map[string]int{}}
}

// Reads counts the reads since NewStore or ResetReads, by profile name
// (LoadProfile and LoadSecret), with ListProfiles under "": each is a
// keychain round trip in the real store, and prompts when it is locked.
func (s *Store) Reads() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]int, len(s.reads))
	for k, v := range s.reads {
		out[k] = v
	}
	return out
}

// ResetReads starts counting reads afresh.
func (s *Store) ResetReads() {
	s.mu.Lock()
	s.reads = map[string]int{}
	s.mu.Unlock()
}

func key(name string, kind auth.SecretKind) string { return string(kind) + ":" + name }

// SetErr makes every following call fail with err (nil to recover).
func (s *Store) SetErr(err error) {
	s.mu.Lock()
	s.Err = err
	s.mu.Unlock()
}

// SetSaveSecretErr makes every following SaveSecret fail with err (nil to
// recover), while every other call works: a keychain that takes a
// profile's record but not its refresh token.
func (s *Store) SetSaveSecretErr(err error) {
	s.mu.Lock()
	s.saveSecretErr = err
	s.mu.Unlock()
}

// SetDeleteErr makes every following DeleteSecret of kind fail with err
// (nil to recover): a keychain that loses the connection half way through.
func (s *Store) SetDeleteErr(kind auth.SecretKind, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.deleteErr == nil {
		s.deleteErr = map[auth.SecretKind]error{}
	}
	s.deleteErr[kind] = err
}

// RawSecret returns the item of kind exactly as stored, with no view
// through the session item (see Secret).
func (s *Store) RawSecret(name string, kind auth.SecretKind) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.secrets[key(name, kind)]
	return v, ok
}

// Block makes every following call wait until release is called (or its
// ctx ends): a keychain showing an unlock prompt. Tests use it to show that
// the UI goroutine never waits for the store.
func (s *Store) Block() (release func()) {
	gate := make(chan struct{})
	s.mu.Lock()
	s.gate = gate
	s.mu.Unlock()
	var once sync.Once
	return func() {
		once.Do(func() {
			s.mu.Lock()
			if s.gate == gate {
				s.gate = nil
			}
			s.mu.Unlock()
			close(gate)
		})
	}
}

// wait holds a call while the store is blocked.
func (s *Store) wait(ctx context.Context) error {
	s.mu.Lock()
	gate := s.gate
	s.mu.Unlock()
	if gate == nil {
		return nil
	}
	select {
	case <-gate:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Break keeps name in the index but loses its record.
func (s *Store) Break(name string) {
	s.mu.Lock()
	delete(s.profiles, name)
	s.broken[name] = true
	s.mu.Unlock()
}

// Secret returns a stored secret directly, for assertions. The refresh
// token and the token cache are read out of the session item when there is
// one (auth.SecretSession: where the engine keeps both), else from their
// own items (where an earlier tokentray kept them).
func (s *Store) Secret(name string, kind auth.SecretKind) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if raw, ok := s.secrets[key(name, auth.SecretSession)]; ok && kind != auth.SecretSession {
		var sess struct {
			RefreshToken string          `json:"refresh_token"`
			Token        json.RawMessage `json:"token"`
		}
		if json.Unmarshal([]byte(raw), &sess) != nil {
			return "", false
		}
		switch kind {
		case auth.SecretRefreshToken:
			return sess.RefreshToken, sess.RefreshToken != ""
		case auth.SecretTokenCache:
			return string(sess.Token), len(sess.Token) > 0
		}
	}
	v, ok := s.secrets[key(name, kind)]
	return v, ok
}

// ListProfiles implements auth.Store.
func (s *Store) ListProfiles(ctx context.Context) ([]string, error) {
	if err := s.wait(ctx); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reads[""]++
	if s.Err != nil {
		return nil, s.Err
	}
	var names []string
	for n := range s.profiles {
		names = append(names, n)
	}
	for n := range s.broken {
		names = append(names, n)
	}
	sort.Strings(names)
	return names, nil
}

// LoadProfile implements auth.Store.
func (s *Store) LoadProfile(ctx context.Context, name string) (auth.Profile, error) {
	if err := s.wait(ctx); err != nil {
		return auth.Profile{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reads[name]++
	if s.Err != nil {
		return auth.Profile{}, s.Err
	}
	if s.broken[name] {
		return auth.Profile{}, fmt.Errorf("profile %s: %w", name, auth.ErrBrokenProfile)
	}
	p, ok := s.profiles[name]
	if !ok {
		return auth.Profile{}, fmt.Errorf("profile %s: %w", name, auth.ErrNotFound)
	}
	return p, nil
}

// SaveProfile implements auth.Store.
func (s *Store) SaveProfile(ctx context.Context, p auth.Profile) error {
	if err := s.wait(ctx); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.Err != nil {
		return s.Err
	}
	delete(s.broken, p.Name)
	s.profiles[p.Name] = p
	return nil
}

// DeleteProfile implements auth.Store.
func (s *Store) DeleteProfile(ctx context.Context, name string) error {
	if err := s.wait(ctx); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.Err != nil {
		return s.Err
	}
	_, ok := s.profiles[name]
	if !ok && !s.broken[name] {
		return fmt.Errorf("profile %s: %w", name, auth.ErrNotFound)
	}
	delete(s.profiles, name)
	delete(s.broken, name)
	for _, k := range []auth.SecretKind{auth.SecretSession, auth.SecretRefreshToken, auth.SecretTokenCache} {
		delete(s.secrets, key(name, k))
	}
	return nil
}

// LoadSecret implements auth.Store.
func (s *Store) LoadSecret(ctx context.Context, name string, kind auth.SecretKind) (string, error) {
	if err := s.wait(ctx); err != nil {
		return "", err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reads[name]++
	if s.Err != nil {
		return "", s.Err
	}
	v, ok := s.secrets[key(name, kind)]
	if !ok {
		return "", fmt.Errorf("%s of %s: %w", kind, name, auth.ErrNotFound)
	}
	return v, nil
}

// SaveSecret implements auth.Store.
func (s *Store) SaveSecret(ctx context.Context, name string, kind auth.SecretKind, value string) error {
	if err := s.wait(ctx); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.Err != nil {
		return s.Err
	}
	if s.saveSecretErr != nil {
		return s.saveSecretErr
	}
	s.secrets[key(name, kind)] = value
	return nil
}

// DeleteSecret implements auth.Store.
func (s *Store) DeleteSecret(ctx context.Context, name string, kind auth.SecretKind) error {
	if err := s.wait(ctx); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.Err != nil {
		return s.Err
	}
	if err := s.deleteErr[kind]; err != nil {
		return err
	}
	delete(s.secrets, key(name, kind))
	return nil
}

// NopLocker is an auth.Locker for single-process tests.
type NopLocker struct{}

// Lock implements auth.Locker.
func (NopLocker) Lock(context.Context, string) (func(), error) { return func() {}, nil }

// LockIndex implements auth.Locker.
func (NopLocker) LockIndex(context.Context) (func(), error) { return func() {}, nil }

// Settle implements auth.Store: a call given up on here never lands later.
func (s *Store) Settle(context.Context) error { return nil }

// Clock is a settable clock for auth.WithClock.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// NewClock returns a Clock at t.
func NewClock(t time.Time) *Clock { return &Clock{t: t} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Set moves the clock.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) { c.Set(c.Now().Add(d)) }
