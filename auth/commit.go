package auth

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"
	"time"
)

var (
	// ErrRotationLost: the issuer replaced the refresh token but the new
	// one could not be stored, so the stored one is spent. It is never sent
	// again (that would revoke the session under reuse detection); only a
	// new sign-in helps. Errors wrapping it wrap ErrNeedsLogin too.
	ErrRotationLost = errors.New("the issuer rotated the refresh token but the keychain did not store the new one")
	// ErrClosed: the engine is shutting down (the app quits) and starts no
	// new exchange with an issuer.
	ErrClosed = errors.New("tokentray is quitting")
	// ErrProfileChanged: the profile was removed, or moved to another
	// issuer or client, while its sign-in was under way; nothing was stored.
	ErrProfileChanged = errors.New("the profile changed during the sign-in")
)

// Operations that Close waits for.
const (
	OpRefresh = "refresh"
	OpSignIn  = "sign-in"
	OpSignOut = "sign-out"
)

// Pending is an exchange with an issuer whose outcome is not stored yet.
type Pending struct {
	Name string // the profile
	Op   string // OpRefresh, OpSignIn or OpSignOut
}

// pendingOp is a registered Pending; end unregisters it once.
type pendingOp struct {
	Pending
	e    *Engine
	once sync.Once
}

// begin registers an exchange that is about to reach the issuer; the
// caller must end it once the outcome is stored. A closed engine starts no
// exchange: Close has already reported what it waits for.
func (e *Engine) begin(name, op string) (*pendingOp, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return nil, fmt.Errorf("%s %s: %w", op, name, ErrClosed)
	}
	p := &pendingOp{Pending: Pending{Name: name, Op: op}, e: e}
	e.pending[p] = struct{}{}
	e.ops.Add(1)
	return p, nil
}

// endIfSet ends p unless it is nil.
func (p *pendingOp) endIfSet() {
	if p != nil {
		p.end()
	}
}

func (p *pendingOp) end() {
	p.once.Do(func() {
		p.e.mu.Lock()
		delete(p.e.pending, p)
		p.e.mu.Unlock()
		p.e.ops.Done()
	})
}

// Close stops the engine from starting exchanges with issuers and waits
// until every exchange already under way has its outcome stored, or ctx
// ends. A refresh whose request was sent may have rotated the refresh
// token at the issuer: quitting before its answer is stored would lose the
// new token and leave the spent one behind. waiting, when not nil, is told
// what is being waited for before the wait starts (front ends say so:
// "finishing the refresh of dev…"). Cached tokens are still served after
// Close.
func (e *Engine) Close(ctx context.Context, waiting func([]Pending)) error {
	e.mu.Lock()
	e.closed = true
	var list []Pending
	for p := range e.pending {
		list = append(list, p.Pending)
	}
	e.mu.Unlock()
	if len(list) == 0 {
		return nil
	}
	sort.Slice(list, func(i, j int) bool { return list[i].Name < list[j].Name })
	if waiting != nil {
		waiting(list)
	}
	done := make(chan struct{})
	go func() {
		e.ops.Wait()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// CloseTimeout is how long Close may need at most. A refresh is registered
// just before its token request, so it needs at most one HTTP timeout and
// the commit budget; a sign-in also verifies its ID token (the issuer's
// keys, one more request) before it stores anything.
func (e *Engine) CloseTimeout() time.Duration { return 2*e.timeout + e.commitTimeout }

// checkSpent refuses a refresh token the issuer has already replaced.
func (e *Engine) checkSpent(name, rt string) error {
	if here, _ := e.spentHere.Spent(name, rt); here {
		return fmt.Errorf("%w; it is spent and is never sent again: %w", ErrRotationLost, ErrNeedsLogin)
	}
	spent, err := e.journal.Spent(name, rt)
	if err != nil {
		// Unreadable record: sending the token could be a reuse. Say so
		// rather than guess.
		return fmt.Errorf("cannot tell whether the stored refresh token was already used: %w", err)
	}
	if spent {
		return fmt.Errorf("%w; it is spent and is never sent again: %w", ErrRotationLost, ErrNeedsLogin)
	}
	return nil
}

// commit stores what a refresh brought, s — the refresh token to keep
// (rotated or not) and the new token set — as one keychain write: a rotation is
// atomic, and a refresh costs one write. When the issuer rotated, the old
// refresh token is marked spent in the journal too, so that whatever
// happens next (a stalled keychain, a kill, a second Ctrl-C) it is never
// sent again; once the new one is stored the mark no longer matches
// anything. The mark and the write go out at once: the old token is safe
// from a resend as soon as either has landed, so waiting for the mark
// before starting the write would only make that moment later.
func (e *Engine) commit(ctx context.Context, name, old string, s session, legacy bool) error {
	if s.RefreshToken == old {
		// Nothing is spent: a failed write only costs a refresh next time.
		if err := e.saveSession(ctx, name, s, legacy); err != nil {
			_ = e.store.Settle(ctx)
		}
		return nil
	}
	// This process remembers too, whatever becomes of the journal file.
	_ = e.spentHere.MarkSpent(name, old)
	marked := make(chan error, 1)
	go func() { marked <- e.journal.MarkSpent(name, old) }()
	err := e.saveRotated(ctx, name, s, legacy)
	markErr := <-marked
	if err != nil {
		if markErr != nil {
			return fmt.Errorf("%w, and recording that the stored one is spent failed too (%v): sign in again before the next refresh: %w", ErrRotationLost, markErr, ErrNeedsLogin)
		}
		return fmt.Errorf("%w (%v): %w", ErrRotationLost, err, ErrNeedsLogin)
	}
	return nil
}

// saveRotated stores a session with a rotated refresh token within ctx's
// budget. When the keychain stalls (an unlock prompt, a busy daemon) the
// write times out but may still land, or may never have started: once the
// keychain answers again (Settle), what it holds is read back, and the
// write is tried again if it is not there yet.
func (e *Engine) saveRotated(ctx context.Context, name string, s session, legacy bool) error {
	for {
		err := e.saveSession(ctx, name, s, legacy)
		if err == nil {
			return nil
		}
		if !errors.Is(err, ErrKeychainTimeout) || e.store.Settle(ctx) != nil {
			return err
		}
		got, _, rerr := e.loadSession(ctx, name)
		if rerr == nil && got.RefreshToken == s.RefreshToken {
			if legacy {
				// The late write landed; the old items still go.
				return e.saveSession(ctx, name, s, legacy)
			}
			return nil
		}
		select {
		case <-time.After(200 * time.Millisecond):
		case <-ctx.Done():
			return err
		}
	}
}

// memJournal is the Journal of an Engine whose Locker keeps none: it holds
// within the process only.
type memJournal struct {
	mu    sync.Mutex
	spent map[string]string
}

func (j *memJournal) MarkSpent(name, rt string) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.spent == nil {
		j.spent = map[string]string{}
	}
	j.spent[name] = rt
	return nil
}

func (j *memJournal) Spent(name, rt string) (bool, error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.spent[name] == rt && rt != "", nil
}
