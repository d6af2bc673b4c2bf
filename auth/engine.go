package auth

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/sync/singleflight"
)

// Defaults for NewEngine.
const (
	DefaultMargin  = 60 * time.Second // refresh when a token has less left than this
	DefaultTimeout = 30 * time.Second // per HTTP request to the issuer
	// DefaultCommitTimeout is the budget for storing what the issuer
	// answered — the rotated refresh token above all — counted from the
	// moment the answer arrives: a write attempt, then waiting for a write
	// that outlived its own timeout to land after all.
	DefaultCommitTimeout = 15 * time.Second
)

// Engine answers "give me a valid access token for profile P" for every
// front end (tray, window, CLI), so that all of them share one cache, one
// lock and one way of persisting rotated refresh tokens. It is safe for
// concurrent use.
type Engine struct {
	store   Store
	locker  Locker
	journal Journal
	// spentHere backs the journal up within this process, for when its
	// file cannot be written.
	spentHere memJournal
	now       Clock
	margin    time.Duration
	timeout   time.Duration
	// loginTimeout bounds a browser or device sign-in's wait for the user.
	loginTimeout time.Duration
	// commitTimeout bounds storing an issuer's answer (see DefaultCommitTimeout).
	commitTimeout time.Duration

	flight singleflight.Group
	// profileLocks serialise work on one profile within the process, so
	// correctness never depends on the Locker also excluding goroutines.
	profileLocks sync.Map // name -> chan struct{}

	mu        sync.Mutex
	clients   map[string]*http.Client       // by CA file
	endpoints map[string]Endpoints          // by domain|issuer
	keySets   map[string]*oidc.RemoteKeySet // by CA file and JWKS URL
	watchers  []func(name string)

	// fast is the quick copy of the token sets, or nil (see TokenCache);
	// fastReads says whether this engine uses it or only drops it.
	fast      TokenCache
	fastReads bool

	// Exchanges in flight (see begin and Close).
	closed  bool
	pending map[*pendingOp]struct{}
	ops     sync.WaitGroup
}

// Option configures an Engine.
type Option func(*Engine)

// WithMargin sets how long before expiry a cached token stops being served.
func WithMargin(d time.Duration) Option { return func(e *Engine) { e.margin = d } }

// WithTimeout bounds each HTTP request to the issuer.
func WithTimeout(d time.Duration) Option { return func(e *Engine) { e.timeout = d } }

// WithLoginTimeout bounds browser and device sign-ins.
func WithLoginTimeout(d time.Duration) Option { return func(e *Engine) { e.loginTimeout = d } }

// WithCommitTimeout sets the budget for storing an issuer's answer.
func WithCommitTimeout(d time.Duration) Option { return func(e *Engine) { e.commitTimeout = d } }

// WithClock replaces time.Now (tests).
func WithClock(c Clock) Option { return func(e *Engine) { e.now = c } }

// NewEngine returns an Engine over store that serialises refreshes with
// locker. When locker is also a Journal (FileLocker is) spent refresh tokens
// are recorded there; otherwise in memory, which only holds within this
// process.
func NewEngine(store Store, locker Locker, opts ...Option) *Engine {
	journal, ok := locker.(Journal)
	if !ok {
		journal = &memJournal{}
	}
	e := &Engine{
		store:         store,
		locker:        locker,
		journal:       journal,
		now:           time.Now,
		margin:        DefaultMargin,
		timeout:       DefaultTimeout,
		loginTimeout:  DefaultLoginTimeout,
		commitTimeout: DefaultCommitTimeout,
		clients:       map[string]*http.Client{},
		endpoints:     map[string]Endpoints{},
		keySets:       map[string]*oidc.RemoteKeySet{},
		pending:       map[*pendingOp]struct{}{},
	}
	for _, o := range opts {
		o(e)
	}
	if e.fast != nil {
		e.store = fastDropping{Store: e.store, fast: e.fast}
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

// TokenOptions are the choices of one Engine.Token call; the zero value
// asks for the cached token while it is valid.
type TokenOptions struct {
	// ForceRefresh refreshes even when the cached token is still valid.
	ForceRefresh bool
	// IDToken: the caller uses the ID token, so a cached token set whose
	// ID token has no more than the margin left is refreshed too (Auth0's
	// ID tokens live 10 hours, its access tokens a day).
	IDToken bool
}

// usable reports whether the cached t serves a call with opts at now.
func (e *Engine) usable(t Token, opts TokenOptions, now time.Time) bool {
	if !t.ValidFor(now, e.Margin()) {
		return false
	}
	if opts.IDToken && t.IDToken != "" {
		if exp := Decode(t.IDToken).Expiry(); !exp.IsZero() && exp.Sub(now) <= e.Margin() {
			return false
		}
	}
	return true
}

// Token returns a valid access token for the named profile: the cached one
// while it has more than the margin left (no network at all: Auth0 asks
// clients not to refresh on every call and rate-limits the endpoint),
// otherwise, or when opts.ForceRefresh is set, a refreshed one.
//
// Refreshes of one profile are serialised within the process (singleflight)
// and across processes (Locker); after taking the lock the cache is read
// again, because another process may have refreshed meanwhile. A rotated
// refresh token is written to the store before the access token is cached
// or returned. A failed refresh leaves everything stored as it was.
func (e *Engine) Token(ctx context.Context, name string, opts TokenOptions) (Token, error) {
	force := opts.ForceRefresh
	if !force {
		if t, err := e.cached(ctx, name); err != nil {
			return Token{}, err
		} else if e.usable(t, opts, e.now()) {
			return t, nil
		}
	}
	key := name
	if force {
		key += "\x00force"
	}
	if opts.IDToken {
		key += "\x00id"
	}
	started := e.now()
	// The refresh runs detached from the first caller's cancellation: callers
	// sharing it are not failed by another's ctx, and a request that reached
	// the issuer is seen through even when every caller gave up (its answer
	// may carry a rotated refresh token that must be stored; Close waits for
	// it). Each caller still stops waiting when its own ctx ends. The work is
	// bounded by the lock wait, the store's and the HTTP timeouts and the
	// commit budget.
	ch := e.flight.DoChan(key, func() (any, error) {
		return e.refresh(context.WithoutCancel(ctx), name, opts, started)
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

// lockWait bounds waiting for a profile's lock: whoever holds it is bounded
// by one exchange with the issuer and one commit.
func (e *Engine) lockWait() time.Duration { return e.timeout + e.commitTimeout + 5*time.Second }

// withLock runs f holding the profile's lock, within the process and across
// processes. A lock that cannot be had in time means another tokentray is
// busy with the profile. The lock is released only once every keychain call
// f started has returned (Store.Settle), within the commit budget.
func (e *Engine) withLock(ctx context.Context, name string, f func() error) error {
	lctx, cancel := context.WithTimeout(ctx, e.lockWait())
	defer cancel()
	sem, _ := e.profileLocks.LoadOrStore(name, make(chan struct{}, 1))
	select {
	case sem.(chan struct{}) <- struct{}{}:
	case <-lctx.Done():
		return e.lockErr(ctx, name)
	}
	defer func() { <-sem.(chan struct{}) }()
	unlock, err := e.locker.Lock(lctx, name)
	if err != nil {
		if lctx.Err() != nil {
			return e.lockErr(ctx, name)
		}
		return err
	}
	defer unlock()
	err = f()
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), e.commitTimeout)
	defer cancel()
	_ = e.store.Settle(sctx)
	return err
}

func (e *Engine) lockErr(ctx context.Context, name string) error {
	if errors.Is(ctx.Err(), context.Canceled) {
		return fmt.Errorf("waiting for %s: %w", name, ctx.Err())
	}
	return fmt.Errorf("another tokentray process is still working on %s; retry in a moment: %w", name, ErrTemporary)
}

// withIndexLock runs f holding the lock of the profile list (see
// Locker.LockIndex). It is always taken after a profile's lock, never
// before, so the two cannot deadlock.
func (e *Engine) withIndexLock(ctx context.Context, f func() error) error {
	lctx, cancel := context.WithTimeout(ctx, e.lockWait())
	defer cancel()
	unlock, err := e.locker.LockIndex(lctx)
	if err != nil {
		if lctx.Err() != nil {
			return fmt.Errorf("another tokentray process is still changing the profile list; retry in a moment: %w", ErrTemporary)
		}
		return err
	}
	defer unlock()
	return f()
}

func (e *Engine) refresh(ctx context.Context, name string, opts TokenOptions, started time.Time) (Token, error) {
	force := opts.ForceRefresh
	var (
		t       Token
		changed bool
	)
	err := e.withLock(ctx, name, func() error {
		// Another process (or an earlier flight) may have refreshed while we
		// waited for the lock; refreshing again would burn a rotated token.
		stored, legacy, err := e.loadSession(ctx, name)
		if err != nil {
			return err
		}
		if cached := stored.Token; e.usable(cached, opts, e.now()) && (!force || cached.ObtainedAt.After(started)) {
			t = cached
			return nil
		}
		p, err := e.store.LoadProfile(ctx, name)
		if err != nil {
			return err
		}
		if p.Machine() {
			if t, err = e.machineToken(ctx, name, p); err == nil {
				changed = true
			}
			return err
		}
		if stored, legacy, err = e.withRefreshToken(ctx, name, stored, legacy); err != nil {
			return err
		}
		if stored.Source != "" && stored.Source != p.source() {
			// The profile moved without its tokens being dropped (an older
			// tokentray edited it): they belong to the old issuer or client.
			return fmt.Errorf("the stored tokens were issued for another issuer or client of this profile: %w", ErrNeedsLogin)
		}
		rt := stored.RefreshToken
		if rt == "" {
			return fmt.Errorf("no refresh token stored: %w", ErrNeedsLogin)
		}
		if err := e.checkSpent(name, rt); err != nil {
			return err
		}
		// Discovery first: only the token request itself can spend the
		// refresh token, and Close's bound covers that request and the
		// commit, nothing before.
		tokenURL, err := e.tokenEndpoint(ctx, p)
		if err != nil {
			return err
		}
		op, err := e.begin(name, OpRefresh)
		if err != nil {
			return err
		}
		defer op.end()
		ans, err := e.exchange(ctx, p, tokenURL, rt)
		if err != nil {
			return err
		}
		t = ans.token
		// The answer is here: storing it has a budget of its own, whatever
		// the lock wait and the exchange took.
		cctx, cancel := context.WithTimeout(ctx, e.commitTimeout)
		defer cancel()
		expires := ans.expires
		if !ans.stated {
			// Not stated this time: what the issuer said before still holds
			// (a rotated token keeps its family's absolute lifetime).
			expires = stored.RefreshExpiresAt
		}
		next := session{RefreshToken: ans.keep, Token: t, Source: p.source(), SignedInAt: stored.SignedInAt, RefreshExpiresAt: expires, RefreshedAt: t.ObtainedAt}
		if err := e.commit(cctx, name, rt, next, cleanup(stored, legacy)); err != nil {
			return err
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
func (e *Engine) cached(ctx context.Context, name string) (Token, error) {
	if e.fastReads {
		return e.cachedFast(ctx, name)
	}
	s, _, err := e.loadSession(ctx, name)
	return s.Token, err
}
