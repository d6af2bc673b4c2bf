package auth

import (
	"context"
	"encoding/json"
	"time"
)

// TokenCache is a quick copy, shared by every process of the user, of
// each signed-in profile's current token set — never its refresh token —
// so that asking for a cached access token costs no keychain round trips
// (on Linux, the kernel's key retention service: see keychain.KernelCache).
// The keychain stays the truth: the copy is written after the keychain,
// only while the profile's lock is held, dropped before any change to the
// profile's items, and lives at most FastCacheFor. Every method is best
// effort: a cache that cannot be read or written is a miss.
type TokenCache interface {
	// Get returns what Put stored for the profile, while it lives.
	Get(name string) (value string, ok bool)
	// Put stores value for the profile for at most ttl.
	Put(name, value string, ttl time.Duration)
	// Drop removes the profile's value, so that no later Get returns it.
	Drop(name string)
}

// FastCacheFor bounds how long the quick copy serves a token without the
// keychain being asked: a keychain locked meanwhile, or a token an older
// tokentray removed, is noticed within this time (as sudo's and
// gpg-agent's caches do).
const FastCacheFor = 10 * time.Minute

// WithTokenCache gives the engine a quick copy of the token sets (see
// TokenCache).
func WithTokenCache(c TokenCache) Option { return func(e *Engine) { e.fast, e.fastReads = c, true } }

// WithTokenCacheDropped has the engine neither read nor fill c, only drop
// a profile's copy before every change to its items: other processes may
// be using the copy.
func WithTokenCacheDropped(c TokenCache) Option {
	return func(e *Engine) { e.fast, e.fastReads = c, false }
}

// fastEntry is what the quick copy holds for a profile: the token set and
// the end of the copy's life, which fastGet enforces whatever the cache's
// own expiry does (a kernel key rewritten by a process killed before it
// set the timeout would otherwise live until reboot).
type fastEntry struct {
	Token Token     `json:"token"`
	Until time.Time `json:"until"`
}

// fastGet returns the profile's token set from the quick copy.
func (e *Engine) fastGet(name string) (Token, bool) {
	raw, ok := e.fast.Get(name)
	if !ok {
		return Token{}, false
	}
	var f fastEntry
	if json.Unmarshal([]byte(raw), &f) != nil || f.Token.AccessToken == "" || !e.now().Before(f.Until) {
		return Token{}, false
	}
	return f.Token, true
}

// QuickToken is Token without the keychain, the network or a lock: the
// profile's token from the quick copy while it is usable for opts. ok is
// false with opts.ForceRefresh, without a quick copy (or with
// WithTokenCacheDropped), and when the copy has no token for the profile
// or one too close to its expiry: Token then does the whole work. A
// command line answers its hot path with it before setting anything else
// up.
func (e *Engine) QuickToken(name string, opts TokenOptions) (t Token, ok bool) {
	if !e.fastReads || opts.ForceRefresh {
		return Token{}, false
	}
	t, ok = e.fastGet(name)
	if !ok || !e.usable(t, opts, e.now()) {
		return Token{}, false
	}
	return t, true
}

// fastPut copies s's token set into the quick copy while it is valid; the
// caller holds the profile's lock and has just read or written s in the
// keychain.
func (e *Engine) fastPut(name string, s session) {
	t := s.Token
	now := e.now()
	if !t.ValidFor(now, e.Margin()) {
		e.fast.Drop(name)
		return
	}
	ttl := FastCacheFor
	if left := t.Expiry.Sub(now); !t.Expiry.IsZero() && left < ttl {
		ttl = left
	}
	b, err := json.Marshal(fastEntry{Token: t, Until: now.Add(ttl)})
	if err != nil {
		return
	}
	e.fast.Put(name, string(b), ttl)
}

// cachedFast is cached with the quick copy: a hit costs nothing, a miss
// reads the keychain and, when the profile's lock is free, copies what it
// read. Without the lock the copy could outlive a sign-out or a removal
// that happens between the read and the copy; with it, those wait.
func (e *Engine) cachedFast(ctx context.Context, name string) (Token, error) {
	if t, ok := e.fastGet(name); ok {
		return t, nil
	}
	unlock := e.tryLock(name)
	s, _, err := e.loadSession(ctx, name)
	if unlock != nil {
		if err == nil {
			e.fastPut(name, s)
		}
		unlock()
	}
	return s.Token, err
}

// tryLocker is a Locker that can try a lock without waiting (FileLocker).
type tryLocker interface {
	TryLock(name string) (unlock func(), ok bool)
}

// tryLock takes the profile's lock if it is free at once, within the
// process and across processes; nil if it is not.
func (e *Engine) tryLock(name string) func() {
	tl, ok := e.locker.(tryLocker)
	if !ok {
		return nil
	}
	sem, _ := e.profileLocks.LoadOrStore(name, make(chan struct{}, 1))
	select {
	case sem.(chan struct{}) <- struct{}{}:
	default:
		return nil
	}
	unlock, ok := tl.TryLock(name)
	if !ok {
		<-sem.(chan struct{})
		return nil
	}
	return func() {
		unlock()
		<-sem.(chan struct{})
	}
}

// fastDropping is the engine's Store when it has a quick copy: every change
// to a profile's items drops the profile's copy first, so a copy never
// outlives what the keychain holds (saveSession puts the new one back).
type fastDropping struct {
	Store
	fast TokenCache
}

func (s fastDropping) SaveProfile(ctx context.Context, p Profile) error {
	s.fast.Drop(p.Name)
	return s.Store.SaveProfile(ctx, p)
}

func (s fastDropping) DeleteProfile(ctx context.Context, name string) error {
	s.fast.Drop(name)
	return s.Store.DeleteProfile(ctx, name)
}

func (s fastDropping) SaveSecret(ctx context.Context, name string, kind SecretKind, value string) error {
	s.fast.Drop(name)
	return s.Store.SaveSecret(ctx, name, kind, value)
}

func (s fastDropping) DeleteSecret(ctx context.Context, name string, kind SecretKind) error {
	s.fast.Drop(name)
	return s.Store.DeleteSecret(ctx, name, kind)
}
