package keychain

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/tokentray/tokentray/auth"
	"github.com/zalando/go-keyring"
)

// hangingBackend blocks every call until release is closed, like go-keyring
// waiting for an unlock prompt nobody answers. The real Secret Service
// cannot be made to do that in a test without a visible prompt, so this is
// the one place a fake is used.
type hangingBackend struct {
	release chan struct{}
	mu      sync.Mutex
	items   map[string]string
}

func newHangingBackend(t *testing.T) *hangingBackend {
	b := &hangingBackend{release: make(chan struct{}), items: map[string]string{}}
	t.Cleanup(b.unblock)
	return b
}

func (b *hangingBackend) unblock() {
	b.mu.Lock()
	defer b.mu.Unlock()
	select {
	case <-b.release:
	default:
		close(b.release)
	}
}

func (b *hangingBackend) get(service, user string) (string, error) {
	<-b.release
	b.mu.Lock()
	defer b.mu.Unlock()
	v, ok := b.items[user]
	if !ok {
		return "", keyring.ErrNotFound
	}
	return v, nil
}

func (b *hangingBackend) set(service, user, value string) error {
	<-b.release
	b.mu.Lock()
	defer b.mu.Unlock()
	b.items[user] = value
	return nil
}

func (b *hangingBackend) delete(service, user string) error {
	<-b.release
	b.mu.Lock()
	defer b.mu.Unlock()
	if _, ok := b.items[user]; !ok {
		return keyring.ErrNotFound
	}
	delete(b.items, user)
	return nil
}

func (b *hangingBackend) has(user string) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	_, ok := b.items[user]
	return ok
}

func TestTimeout(t *testing.T) {
	ctx := context.Background()
	const timeout = 300 * time.Millisecond
	b := newHangingBackend(t)
	s := New("tokentray-test-fake", withBackend(b), WithTimeout(timeout))

	start := time.Now()
	_, err := s.LoadSecret(ctx, "dev", auth.SecretRefreshToken)
	took := time.Since(start)
	require.ErrorIs(t, err, auth.ErrKeychainTimeout)
	require.ErrorContains(t, err, "did not answer within 300ms")
	require.ErrorContains(t, err, "unlock prompt")
	require.GreaterOrEqual(t, took, timeout)
	require.Less(t, took, timeout+time.Second)

	// The first call is still stuck inside the backend. The next one waits
	// behind it for its own timeout, then gives up without ever running:
	// when the keychain wakes up, this stale write must not land.
	start = time.Now()
	err = s.SaveSecret(ctx, "dev", auth.SecretRefreshToken, "stale")
	took = time.Since(start)
	require.ErrorIs(t, err, auth.ErrKeychainTimeout)
	require.ErrorContains(t, err, "an earlier request is still waiting")
	require.NotContains(t, err.Error(), "stale")
	require.Less(t, took, timeout+time.Second)

	b.unblock()
	require.NoError(t, s.SaveSecret(ctx, "dev", auth.SecretTokenCache, "fresh"))
	got, err := s.LoadSecret(ctx, "dev", auth.SecretTokenCache)
	require.NoError(t, err)
	require.Equal(t, "fresh", got)
	require.False(t, b.has("refresh:dev"), "a call given up before it started must never run")
}

func TestTimeoutCoversTheWholeMethod(t *testing.T) {
	// A chunked value takes several backend calls; the timeout bounds the
	// Store method, not each call.
	const timeout = 300 * time.Millisecond
	b := newHangingBackend(t)
	b.unblock()
	slow := &slowBackend{hangingBackend: b, delay: 100 * time.Millisecond}
	s := New("tokentray-test-fake", withBackend(slow), WithTimeout(timeout), WithChunkSize(4))

	start := time.Now()
	err := s.SaveSecret(context.Background(), "dev", auth.SecretTokenCache, "0123456789abcdefghij") // 5 chunks
	took := time.Since(start)
	require.ErrorIs(t, err, auth.ErrKeychainTimeout)
	require.Less(t, took, timeout+200*time.Millisecond)
}

// slowBackend answers, but slowly.
type slowBackend struct {
	*hangingBackend
	delay time.Duration
}

func (b *slowBackend) get(service, user string) (string, error) {
	time.Sleep(b.delay)
	return b.hangingBackend.get(service, user)
}

func (b *slowBackend) set(service, user, value string) error {
	time.Sleep(b.delay)
	return b.hangingBackend.set(service, user, value)
}

func TestCallerCancel(t *testing.T) {
	b := newHangingBackend(t)
	s := New("tokentray-test-fake", withBackend(b), WithTimeout(time.Minute))

	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	start := time.Now()
	_, err := s.ListProfiles(ctx)
	require.ErrorIs(t, err, context.Canceled)
	require.NotErrorIs(t, err, auth.ErrKeychainTimeout, "the caller's cancellation is not a keychain timeout")
	require.Less(t, time.Since(start), time.Second)

	// An already cancelled ctx fails before touching the keychain.
	_, err = s.LoadProfile(ctx, "dev")
	require.ErrorIs(t, err, context.Canceled)
}
