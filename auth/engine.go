package auth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/sync/singleflight"
)

// Defaults for NewEngine.
const (
	DefaultMargin  = 60 * time.Second // refresh when a token has less left than this
	DefaultTimeout = 30 * time.Second // per HTTP request to the issuer
)

// Engine answers "give me a valid access token for profile P" for every
// front end (tray, window, CLI), so that all of them share one cache, one
// lock and one way of persisting rotated refresh tokens. It is safe for
// concurrent use.
type Engine struct {
	store   Store
	locker  Locker
	now     Clock
	margin  time.Duration
	timeout time.Duration
	// loginTimeout bounds a browser or device sign-in.
	loginTimeout time.Duration

	flight singleflight.Group

	mu        sync.Mutex
	clients   map[string]*http.Client       // by CA file
	endpoints map[string]Endpoints          // by domain|issuer
	keySets   map[string]*oidc.RemoteKeySet // by JWKS URL
	watchers  []func(name string)
}

// Option configures an Engine.
type Option func(*Engine)

// WithMargin sets how long before expiry a cached token stops being served.
func WithMargin(d time.Duration) Option { return func(e *Engine) { e.margin = d } }

// WithTimeout bounds each HTTP request to the issuer.
func WithTimeout(d time.Duration) Option { return func(e *Engine) { e.timeout = d } }

// WithLoginTimeout bounds browser and device sign-ins.
func WithLoginTimeout(d time.Duration) Option { return func(e *Engine) { e.loginTimeout = d } }

// WithClock replaces time.Now (tests).
func WithClock(c Clock) Option { return func(e *Engine) { e.now = c } }

// NewEngine returns an Engine over store that serialises refreshes with locker.
func NewEngine(store Store, locker Locker, opts ...Option) *Engine {
	e := &Engine{
		store:        store,
		locker:       locker,
		now:          time.Now,
		margin:       DefaultMargin,
		timeout:      DefaultTimeout,
		loginTimeout: DefaultLoginTimeout,
		clients:      map[string]*http.Client{},
		endpoints:    map[string]Endpoints{},
		keySets:      map[string]*oidc.RemoteKeySet{},
	}
	for _, o := range opts {
		o(e)
	}
	return e
}

// Margin is the configured expiry margin.
func (e *Engine) Margin() time.Duration {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.margin
}

// SetMargin changes the expiry margin (a user setting) at run time.
func (e *Engine) SetMargin(d time.Duration) {
	e.mu.Lock()
	e.margin = d
	e.mu.Unlock()
}

// Now is the engine's clock.
func (e *Engine) Now() time.Time { return e.now() }

// Watch registers f to be called (on the goroutine that made the change)
// after a profile's stored state changed: a new token, a new refresh token, an
// edit or a removal. Front ends use it to update their labels.
func (e *Engine) Watch(f func(name string)) {
	e.mu.Lock()
	e.watchers = append(e.watchers, f)
	e.mu.Unlock()
}

// toucher is implemented by Lockers that can tell other processes about a
// change (FileLocker).
type toucher interface{ Touch(name string) }

func (e *Engine) changed(name string) {
	if t, ok := e.locker.(toucher); ok {
		t.Touch(name)
	}
	e.mu.Lock()
	ws := append([]func(string){}, e.watchers...)
	e.mu.Unlock()
	for _, w := range ws {
		w(name)
	}
}

// Token returns a valid access token for the named profile: the cached one
// while it has more than the margin left (no network at all: Auth0 asks
// clients not to refresh on every call and rate-limits the endpoint),
// otherwise, or when force is set, a refreshed one.
//
// Refreshes of one profile are serialised within the process (singleflight)
// and across processes (Locker); after taking the lock the cache is read
// again, because another process may have refreshed meanwhile. A rotated
// refresh token is written to the store before the access token is cached
// or returned. A failed refresh leaves everything stored as it was.
func (e *Engine) Token(ctx context.Context, name string, force bool) (Token, error) {
	if !force {
		if t, err := e.cached(ctx, name); err != nil {
			return Token{}, err
		} else if t.ValidFor(e.now(), e.Margin()) {
			return t, nil
		}
	}
	key := name
	if force {
		key += "\x00force"
	}
	started := e.now()
	// The refresh runs detached from the first caller's cancellation so that
	// callers sharing it are not failed by another's ctx; each caller still
	// stops waiting when its own ctx ends. The work itself is bounded by the
	// lock wait, the store's and the HTTP timeouts.
	ch := e.flight.DoChan(key, func() (any, error) {
		wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 3*e.timeout)
		defer cancel()
		return e.refresh(wctx, name, force, started)
	})
	select {
	case <-ctx.Done():
		return Token{}, fmt.Errorf("token for %s: %w", name, ctx.Err())
	case r := <-ch:
		if r.Err != nil {
			return Token{}, r.Err
		}
		return r.Val.(Token), nil
	}
}

// withLock runs f holding the profile's cross-process lock. A lock that
// cannot be had in time means another tokentray is busy with the profile.
func (e *Engine) withLock(ctx context.Context, name string, f func() error) error {
	unlock, err := e.locker.Lock(ctx, name)
	if err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("another tokentray process is still working on %s; retry in a moment: %w", name, ErrTemporary)
		}
		return err
	}
	defer unlock()
	return f()
}

func (e *Engine) refresh(ctx context.Context, name string, force bool, started time.Time) (Token, error) {
	var (
		t       Token
		changed bool
	)
	err := e.withLock(ctx, name, func() error {
		// Another process (or an earlier flight) may have refreshed while we
		// waited for the lock; refreshing again would burn a rotated token.
		cached, err := e.cached(ctx, name)
		if err != nil {
			return err
		}
		if cached.ValidFor(e.now(), e.Margin()) && (!force || cached.ObtainedAt.After(started)) {
			t = cached
			return nil
		}
		p, err := e.store.LoadProfile(ctx, name)
		if err != nil {
			return err
		}
		rt, err := e.store.LoadSecret(ctx, name, SecretRefreshToken)
		if errors.Is(err, ErrNotFound) || (err == nil && rt == "") {
			return fmt.Errorf("no refresh token stored: %w", ErrNeedsLogin)
		}
		if err != nil {
			return err
		}
		var keep string
		if t, keep, err = e.exchange(ctx, p, rt); err != nil {
			return err
		}
		if keep != rt {
			// Rotation: the old refresh token is now spent. Nothing else
			// happens before the new one is safe.
			if err := e.store.SaveSecret(ctx, name, SecretRefreshToken, keep); err != nil {
				return fmt.Errorf("the issuer rotated the refresh token but saving the new one failed, so the next refresh will need a new sign-in: %w", err)
			}
		}
		if err := e.saveCache(ctx, name, t); err != nil {
			return fmt.Errorf("cache the new access token: %w", err)
		}
		changed = true
		return nil
	})
	if err != nil {
		return Token{}, fmt.Errorf("refresh %s: %w", name, err)
	}
	if changed {
		e.changed(name) // after unlocking: watchers may read the store
	}
	return t, nil
}

// cached returns the stored token set, or a zero Token when none is cached.
// A damaged cache entry counts as none: it only costs a refresh.
func (e *Engine) cached(ctx context.Context, name string) (Token, error) {
	raw, err := e.store.LoadSecret(ctx, name, SecretTokenCache)
	if errors.Is(err, ErrNotFound) {
		return Token{}, nil
	}
	if err != nil {
		return Token{}, fmt.Errorf("read cached token of %s: %w", name, err)
	}
	var t Token
	if json.Unmarshal([]byte(raw), &t) != nil {
		return Token{}, nil
	}
	return t, nil
}

func (e *Engine) saveCache(ctx context.Context, name string, t Token) error {
	b, err := json.Marshal(t)
	if err != nil {
		return err
	}
	return e.store.SaveSecret(ctx, name, SecretTokenCache, string(b))
}

// Status is what front ends show for a profile without touching the network.
type Status struct {
	Profile         Profile
	Token           Token // cached token; zero when none
	HasRefreshToken bool
	Err             error // the profile could not be read (broken, keychain locked, ...)
}

// Name is the profile's name.
func (s Status) Name() string { return s.Profile.Name }

// Statuses returns every profile's status, sorted by name. A broken
// profile is listed with Err set rather than failing the listing.
func (e *Engine) Statuses(ctx context.Context) ([]Status, error) {
	names, err := e.store.ListProfiles(ctx)
	if err != nil {
		return nil, fmt.Errorf("list profiles: %w", err)
	}
	sort.Strings(names)
	out := make([]Status, 0, len(names))
	for _, n := range names {
		out = append(out, e.Status(ctx, n))
	}
	return out, nil
}

// Status returns one profile's status.
func (e *Engine) Status(ctx context.Context, name string) Status {
	s := Status{Profile: Profile{Name: name}}
	p, err := e.store.LoadProfile(ctx, name)
	if err != nil {
		s.Err = err
		return s
	}
	s.Profile = p
	if s.Token, err = e.cached(ctx, name); err != nil {
		s.Err = err
		return s
	}
	if s.Token.ValidFor(e.now(), 0) {
		// Tokens are cached only next to a refresh token (signing out or
		// storing a new one drops the cache), so one keychain read less.
		s.HasRefreshToken = true
		return s
	}
	rt, err := e.store.LoadSecret(ctx, name, SecretRefreshToken)
	switch {
	case err == nil:
		s.HasRefreshToken = rt != ""
	case !errors.Is(err, ErrNotFound):
		s.Err = err
	}
	return s
}

// Profile returns the stored profile.
func (e *Engine) Profile(ctx context.Context, name string) (Profile, error) {
	p, err := e.store.LoadProfile(ctx, name)
	if err != nil {
		return Profile{}, fmt.Errorf("profile %s: %w", name, err)
	}
	return p, nil
}

// Names returns the profile names, sorted.
func (e *Engine) Names(ctx context.Context) ([]string, error) {
	names, err := e.store.ListProfiles(ctx)
	sort.Strings(names)
	return names, err
}

// AddProfile validates and stores a new profile.
func (e *Engine) AddProfile(ctx context.Context, p Profile) (Profile, error) {
	p, err := p.Normalize()
	if err != nil {
		return p, err
	}
	names, err := e.store.ListProfiles(ctx)
	if err != nil {
		return p, fmt.Errorf("add %s: %w", p.Name, err)
	}
	for _, n := range names {
		if n == p.Name {
			return p, fmt.Errorf("add %s: %w: choose another name or use `tokentray profile edit %s`", p.Name, ErrExists, p.Name)
		}
	}
	if err := e.store.SaveProfile(ctx, p); err != nil {
		return p, fmt.Errorf("add %s: %w", p.Name, err)
	}
	e.changed(p.Name)
	return p, nil
}

// UpdateProfile validates and stores changes to an existing profile. When
// the tokens would come from elsewhere (another host or client) the stored
// refresh token is dropped too: it belongs to the old issuer and must never
// be sent to the new one. Other changes that shape tokens (endpoint form,
// audience, scope) drop only the cached access token.
func (e *Engine) UpdateProfile(ctx context.Context, p Profile) (Profile, error) {
	p, err := p.Normalize()
	if err != nil {
		return p, err
	}
	old, err := e.store.LoadProfile(ctx, p.Name)
	if err != nil && !errors.Is(err, ErrBrokenProfile) {
		return p, fmt.Errorf("edit %s: %w", p.Name, err)
	}
	err = e.withLock(ctx, p.Name, func() error {
		if err := e.store.SaveProfile(ctx, p); err != nil {
			return err
		}
		var drop []SecretKind
		if old.Host() != p.Host() || old.ClientID != p.ClientID {
			drop = append(drop, SecretRefreshToken, SecretTokenCache)
		} else if old.Where() != p.Where() || old.Audience != p.Audience || old.Scope != p.Scope {
			drop = append(drop, SecretTokenCache)
		}
		for _, k := range drop {
			if err := e.store.DeleteSecret(ctx, p.Name, k); err != nil {
				return fmt.Errorf("drop the old tokens: %w", err)
			}
		}
		return nil
	})
	if err != nil {
		return p, fmt.Errorf("edit %s: %w", p.Name, err)
	}
	e.changed(p.Name)
	return p, nil
}

// RemoveProfile deletes a profile and everything stored for it.
func (e *Engine) RemoveProfile(ctx context.Context, name string) error {
	if err := e.store.DeleteProfile(ctx, name); err != nil {
		return fmt.Errorf("remove %s: %w", name, err)
	}
	e.changed(name)
	return nil
}

// SetRefreshToken stores a refresh token obtained elsewhere (for example
// pasted from Auth0's dashboard or another tool) and drops the cached
// access token, which belongs to the previous session.
func (e *Engine) SetRefreshToken(ctx context.Context, name, refreshToken string) error {
	refreshToken = strings.TrimSpace(refreshToken)
	if refreshToken == "" {
		return errors.New("the refresh token is empty")
	}
	if _, err := e.store.LoadProfile(ctx, name); err != nil {
		return fmt.Errorf("sign in %s: %w", name, err)
	}
	err := e.withLock(ctx, name, func() error {
		if err := e.store.SaveSecret(ctx, name, SecretRefreshToken, refreshToken); err != nil {
			return err
		}
		if err := e.store.DeleteSecret(ctx, name, SecretTokenCache); err != nil {
			return fmt.Errorf("drop the old access token: %w", err)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("sign in %s: %w", name, err)
	}
	e.changed(name)
	return nil
}
