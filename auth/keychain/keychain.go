// Package keychain is the auth.Store kept in the OS keychain (Secret Service
// on Linux, Keychain on macOS, Credential Manager on Windows) through
// github.com/zalando/go-keyring.
//
// go-keyring stores one secret per (service, user) pair and nothing else: it
// cannot list, has no context and no timeout, and the platforms limit the
// size of one item. This package adds what tokentray needs on top: a bounded
// time for every call, values split into chunks, an index of profile names,
// and errors that say what to do.
//
// All items live under one service name (New's argument). The "user" of an
// item names what it holds:
//
//	index          JSON array of profile names
//	profile:NAME   JSON of the auth.Profile, client secret included
//	session:NAME   the refresh token and the cached token set, one JSON
//	               value (auth.SecretSession): a refresh is one write
//	refresh:NAME   the refresh token, as tokentray before the session item
//	token:NAME     kept it, and the cached token set (read, then removed)
//	ITEM#a1, #a2…  chunks of a value too large for one item, in slot a or b
//	               (see value.go; ITEM#1, #2… in the older v1 format)
//
// Profile names are auth.ValidateName names, so they never contain ':' or
// '#' and item names cannot collide.
package keychain

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/tokentray/tokentray/auth"
)

const (
	// DefaultTimeout bounds each Store method unless WithTimeout says otherwise.
	DefaultTimeout = 5 * time.Second
	// DefaultChunkSize is the largest value stored as a single item on
	// macOS and Windows. Windows refuses secrets over 2560 bytes and macOS
	// a service+user+secret over about 3000 (go-keyring's
	// ErrSetDataTooBig); 2000 stays clear of both. The Secret Service has
	// no such limit, so on Linux values are not split at all.
	DefaultChunkSize = 2000

	// maxChunkSize caps WithChunkSize below Windows' 2560-byte limit.
	maxChunkSize = 2400
)

const indexItem = "index"

// Store is an auth.Store in the OS keychain. Create it with New; it is safe
// for concurrent use.
//
// Within one process, index updates are serialized and so are all writes,
// so concurrent SaveProfile/DeleteProfile calls cannot lose a name and two
// writes of one value cannot mix their chunks. Across processes (the tray app
// and CLI calls) the Store locks nothing itself: the engine takes the
// profile's lock and the profile list's (auth.Locker) before it changes a
// profile, its secrets or the index.
type Store struct {
	service string
	timeout time.Duration
	chunk   int
	be      backend

	// busy admits one backend call at a time. A call that timed out may
	// still be running inside go-keyring (waiting for an unlock prompt);
	// keeping later calls out until it returns means goroutines never pile
	// up behind a stuck keychain and a late write can never overtake a newer
	// one.
	busy chan struct{}
	// indexLock serializes read-modify-write cycles of the index together
	// with the record writes and deletes that go with them.
	indexLock chan struct{}
	// writeLock serializes value writes, so chunks of two writes of one item
	// never interleave.
	writeLock chan struct{}
}

var _ auth.Store = (*Store)(nil)

// Option configures a Store.
type Option func(*Store)

// WithTimeout sets how long one Store method may take in total, including
// waiting for an earlier call that still occupies the keychain. d <= 0 keeps
// DefaultTimeout.
func WithTimeout(d time.Duration) Option {
	return func(s *Store) {
		if d > 0 {
			s.timeout = d
		}
	}
}

// WithChunkSize sets the largest value, in bytes, stored as one item; larger
// values are split. n < 1 keeps DefaultChunkSize; values above 2400 are
// lowered to 2400 so that Windows' 2560-byte limit is never reached.
func WithChunkSize(n int) Option {
	return func(s *Store) {
		if n >= 1 {
			s.chunk = min(n, maxChunkSize)
		}
	}
}

// withBackend replaces go-keyring, for tests of the timeout logic.
func withBackend(b backend) Option {
	return func(s *Store) { s.be = b }
}

// New returns a Store keeping its items under the keychain service name
// service (for example "tokentray").
func New(service string, opts ...Option) *Store {
	s := &Store{
		service:   service,
		timeout:   DefaultTimeout,
		chunk:     platformChunkSize,
		be:        defaultBackend(),
		busy:      make(chan struct{}, 1),
		indexLock: make(chan struct{}, 1),
		writeLock: make(chan struct{}, 1),
	}
	for _, o := range opts {
		o(s)
	}
	return s
}

func profileItem(name string) string { return "profile:" + name }

func secretItem(name string, kind auth.SecretKind) string { return string(kind) + ":" + name }

// kinds are every secret kind a profile can have; DeleteProfile removes them all.
// The old items go first, the session item last (see auth.Engine.dropSession).
var kinds = []auth.SecretKind{auth.SecretRefreshToken, auth.SecretTokenCache, auth.SecretSession}

// kindText names a secret kind in messages.
func kindText(kind auth.SecretKind) string {
	switch kind {
	case auth.SecretTokenCache:
		return "token cache"
	case auth.SecretSession:
		return "tokens"
	}
	return "refresh token"
}

func checkKind(kind auth.SecretKind) error {
	if !slices.Contains(kinds, kind) {
		return fmt.Errorf("unknown secret kind %q", kind)
	}
	return nil
}

// ListProfiles implements auth.Store.
func (s *Store) ListProfiles(ctx context.Context) ([]string, error) {
	ctx, cancel := s.begin(ctx)
	defer cancel()
	names, err := s.readIndex(ctx)
	if err != nil {
		return nil, fmt.Errorf("list profiles: %w", err)
	}
	return names, nil
}

// LoadProfile implements auth.Store.
func (s *Store) LoadProfile(ctx context.Context, name string) (auth.Profile, error) {
	if err := auth.ValidateName(name); err != nil {
		return auth.Profile{}, err
	}
	ctx, cancel := s.begin(ctx)
	defer cancel()
	// The record is read first and the index only when it is missing: every
	// refresh loads its profile, and each keychain read costs milliseconds.
	raw, err := s.getValue(ctx, profileItem(name))
	var damaged *damagedError
	switch {
	case errors.Is(err, auth.ErrNotFound):
		names, ierr := s.readIndex(ctx)
		if ierr != nil {
			return auth.Profile{}, fmt.Errorf("load profile %q: %w", name, ierr)
		}
		if !slices.Contains(names, name) {
			return auth.Profile{}, fmt.Errorf("load profile %q: %w", name, auth.ErrNotFound)
		}
		return auth.Profile{}, fmt.Errorf("load profile %q: %w: its keychain item %q is gone; remove the profile and add it again", name, auth.ErrBrokenProfile, profileItem(name))
	case errors.As(err, &damaged):
		return auth.Profile{}, fmt.Errorf("load profile %q: %w: %v; remove the profile and add it again", name, auth.ErrBrokenProfile, damaged)
	case err != nil:
		return auth.Profile{}, fmt.Errorf("load profile %q: %w", name, err)
	}
	var p auth.Profile
	// The json error is left out: it may quote part of the record, and the
	// record holds the client secret.
	if json.Unmarshal([]byte(raw), &p) != nil || p.Name != name {
		return auth.Profile{}, fmt.Errorf("load profile %q: %w: its keychain item %q does not hold a valid profile; remove the profile and add it again", name, auth.ErrBrokenProfile, profileItem(name))
	}
	return p, nil
}

// SaveProfile implements auth.Store. The record is written before the name
// is indexed, so a listed profile has a record unless something outside
// tokentray removed it.
func (s *Store) SaveProfile(ctx context.Context, p auth.Profile) error {
	if err := auth.ValidateName(p.Name); err != nil {
		return err
	}
	raw, err := json.Marshal(p)
	if err != nil {
		return fmt.Errorf("save profile %q: encode: %w", p.Name, err)
	}
	ctx, cancel := s.begin(ctx)
	defer cancel()
	unlock, err := s.lock(ctx, s.indexLock)
	if err != nil {
		return fmt.Errorf("save profile %q: %w", p.Name, err)
	}
	defer unlock()
	if err := s.putValue(ctx, profileItem(p.Name), string(raw)); err != nil {
		return fmt.Errorf("save profile %q: %w", p.Name, err)
	}
	names, err := s.readIndex(ctx)
	if err != nil {
		return fmt.Errorf("save profile %q: %w", p.Name, err)
	}
	if slices.Contains(names, p.Name) {
		return nil
	}
	if err := s.writeIndex(ctx, append(names, p.Name)); err != nil {
		return fmt.Errorf("save profile %q: %w", p.Name, err)
	}
	return nil
}

// DeleteProfile implements auth.Store. It removes the record and every
// secret (chunks included) first and the index entry last, so an
// interruption leaves a broken profile that can be deleted again, never
// unlisted leftovers. A name that is not indexed but still has items (left
// by an interrupted SaveProfile) is cleaned up too; only when nothing at all
// exists is the result ErrNotFound.
func (s *Store) DeleteProfile(ctx context.Context, name string) error {
	if err := auth.ValidateName(name); err != nil {
		return err
	}
	ctx, cancel := s.begin(ctx)
	defer cancel()
	unlock, err := s.lock(ctx, s.indexLock)
	if err != nil {
		return fmt.Errorf("delete profile %q: %w", name, err)
	}
	defer unlock()
	names, err := s.readIndex(ctx)
	if err != nil {
		return fmt.Errorf("delete profile %q: %w", name, err)
	}
	found := slices.Contains(names, name)
	items := []string{profileItem(name)}
	for _, k := range kinds {
		items = append(items, secretItem(name, k))
	}
	for _, item := range items {
		err := s.deleteValue(ctx, item)
		switch {
		case err == nil:
			found = true
		case !errors.Is(err, auth.ErrNotFound):
			return fmt.Errorf("delete profile %q: %w", name, err)
		}
	}
	if !found {
		return fmt.Errorf("delete profile %q: %w", name, auth.ErrNotFound)
	}
	if !slices.Contains(names, name) {
		return nil
	}
	if err := s.writeIndex(ctx, slices.DeleteFunc(names, func(n string) bool { return n == name })); err != nil {
		return fmt.Errorf("delete profile %q: %w", name, err)
	}
	return nil
}

// LoadSecret implements auth.Store. A damaged value (a chunk missing or not
// matching the checksum) counts as not found: the caller then signs in or
// refreshes again and the next save replaces it.
func (s *Store) LoadSecret(ctx context.Context, name string, kind auth.SecretKind) (string, error) {
	if err := auth.ValidateName(name); err != nil {
		return "", err
	}
	if err := checkKind(kind); err != nil {
		return "", err
	}
	ctx, cancel := s.begin(ctx)
	defer cancel()
	v, err := s.getValue(ctx, secretItem(name, kind))
	var damaged *damagedError
	if errors.As(err, &damaged) {
		return "", fmt.Errorf("load %s of %q: %w (%w: %v)", kindText(kind), name, auth.ErrNotFound, auth.ErrDamaged, damaged)
	}
	if err != nil {
		return "", fmt.Errorf("load %s of %q: %w", kindText(kind), name, err)
	}
	return v, nil
}

// SaveSecret implements auth.Store.
func (s *Store) SaveSecret(ctx context.Context, name string, kind auth.SecretKind, value string) error {
	if err := auth.ValidateName(name); err != nil {
		return err
	}
	if err := checkKind(kind); err != nil {
		return err
	}
	ctx, cancel := s.begin(ctx)
	defer cancel()
	if err := s.putValue(ctx, secretItem(name, kind), value); err != nil {
		return fmt.Errorf("save %s of %q: %w", kindText(kind), name, err)
	}
	return nil
}

// DeleteSecret implements auth.Store.
func (s *Store) DeleteSecret(ctx context.Context, name string, kind auth.SecretKind) error {
	if err := auth.ValidateName(name); err != nil {
		return err
	}
	if err := checkKind(kind); err != nil {
		return err
	}
	ctx, cancel := s.begin(ctx)
	defer cancel()
	if err := s.deleteValue(ctx, secretItem(name, kind)); err != nil && !errors.Is(err, auth.ErrNotFound) {
		return fmt.Errorf("delete %s of %q: %w", kindText(kind), name, err)
	}
	return nil
}

// readIndex returns the sorted profile names; no index item means none.
func (s *Store) readIndex(ctx context.Context) ([]string, error) {
	raw, err := s.getValue(ctx, indexItem)
	if errors.Is(err, auth.ErrNotFound) {
		return []string{}, nil
	}
	var damaged *damagedError
	if err == nil {
		var names []string
		if json.Unmarshal([]byte(raw), &names) == nil {
			slices.Sort(names)
			return slices.Compact(names), nil
		}
	} else if !errors.As(err, &damaged) {
		return nil, err
	}
	return nil, fmt.Errorf("the profile index (keychain item %q of service %q) is damaged: delete that item and add the profiles again", indexItem, s.service)
}

// writeIndex stores names, or removes the index item when there are none so
// that deleting the last profile leaves nothing behind.
func (s *Store) writeIndex(ctx context.Context, names []string) error {
	if len(names) == 0 {
		if err := s.deleteValue(ctx, indexItem); err != nil && !errors.Is(err, auth.ErrNotFound) {
			return err
		}
		return nil
	}
	slices.Sort(names)
	raw, err := json.Marshal(slices.Compact(names))
	if err != nil {
		return err
	}
	return s.putValue(ctx, indexItem, string(raw))
}
