package keychain

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"maps"
	"math/rand/v2"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/tokentray/tokentray/auth"
	"github.com/zalando/go-keyring"
)

// These tests kill a write after every possible number of keychain calls
// and check what a fresh process then finds. They run on an in-memory
// backend, since a real keychain cannot be interrupted between two calls.

// errKilled is what every call returns once the process has "died": a
// killed process makes no more calls, so nothing after the death may change
// the keychain.
var errKilled = errors.New("process killed")

// crashBackend is an in-memory keychain that dies after limit successful
// calls (never when limit < 0).
type crashBackend struct {
	mu    sync.Mutex
	items map[string]string
	calls int
	limit int
}

func newCrashBackend() *crashBackend {
	return &crashBackend{items: map[string]string{}, limit: -1}
}

// alive counts a call; false once the process is dead. Call with b.mu held.
func (b *crashBackend) alive() bool {
	if b.limit >= 0 && b.calls >= b.limit {
		return false
	}
	b.calls++
	return true
}

func (b *crashBackend) get(service, user string) (string, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.alive() {
		return "", errKilled
	}
	v, ok := b.items[user]
	if !ok {
		return "", keyring.ErrNotFound
	}
	return v, nil
}

func (b *crashBackend) set(service, user, value string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.alive() {
		return errKilled
	}
	b.items[user] = value
	return nil
}

func (b *crashBackend) delete(service, user string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.alive() {
		return errKilled
	}
	if _, ok := b.items[user]; !ok {
		return keyring.ErrNotFound
	}
	delete(b.items, user)
	return nil
}

// restart revives the keychain for a new process and resets the count.
func (b *crashBackend) restart(limit int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.calls, b.limit = 0, limit
}

func (b *crashBackend) snapshot() map[string]string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return maps.Clone(b.items)
}

const (
	crashItem  = "token:dev"
	crashChunk = 10
)

func crashStore(b *crashBackend) *Store {
	return New("tokentray-test-fake", withBackend(b), WithChunkSize(crashChunk))
}

// val is an n-byte value that differs from every other tag's at every
// other byte, so that a mix of two values can never pass for either.
func val(tag byte, n int) string {
	v := make([]byte, n)
	for i := range v {
		v[i] = tag
		if i%2 == 1 {
			v[i] = '0' + byte(i/2%10)
		}
	}
	return string(v)
}

// readBack is what a fresh process reads; "" for an absent value. Any
// other error fails the test: a killed write must never leave a value that
// cannot be read.
func readBack(t *testing.T, b *crashBackend) string {
	t.Helper()
	b.restart(-1)
	v, err := crashStore(b).getValue(context.Background(), crashItem)
	if errors.Is(err, auth.ErrNotFound) {
		return ""
	}
	require.NoError(t, err)
	return v
}

// written puts the keychain in the state a healthy process leaves after
// writing values in turn.
func written(values ...string) func(*testing.T, *crashBackend) {
	return func(t *testing.T, b *crashBackend) {
		for _, v := range values {
			require.NoError(t, crashStore(b).putValue(context.Background(), crashItem, v))
		}
	}
}

// writtenV1 lays out value as earlier versions did: a v1 head and pieces
// ITEM#1..N. Spelled out here rather than with the package's helpers, so
// that it stays what is really found in users' keychains.
func writtenV1(value string) func(*testing.T, *crashBackend) {
	return func(t *testing.T, b *crashBackend) {
		var n int
		for rest := value; rest != ""; n++ {
			piece := rest[:min(crashChunk, len(rest))]
			rest = rest[len(piece):]
			b.items[crashItem+"#"+strconv.Itoa(n+1)] = piece
		}
		sum := sha256.Sum256([]byte(value))
		b.items[crashItem] = "tokentray-chunked:v1:" + strconv.Itoa(n) + ":" + hex.EncodeToString(sum[:])
	}
}

// itemKeys are the items of crashItem (head and pieces), sorted.
func itemKeys(b *crashBackend) []string {
	var keys []string
	for k := range b.snapshot() {
		if k == crashItem || strings.HasPrefix(k, crashItem+"#") {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	return keys
}

// expectedKeys are the items that value, as now stored, may occupy: the
// head and the pieces of the slot it names, nothing else.
func expectedKeys(t *testing.T, b *crashBackend, value string) []string {
	t.Helper()
	if value == "" {
		return nil
	}
	head := b.snapshot()[crashItem]
	chunked := len(value) > crashChunk || strings.HasPrefix(value, "tokentray-chunked:")
	if !chunked {
		require.Equal(t, value, head, "a small value is stored as it is")
		return []string{crashItem}
	}
	f := strings.Split(head, ":")
	require.Len(t, f, 5, "head %q", head)
	require.Equal(t, []string{"tokentray-chunked", "v2"}, f[:2], "head %q", head)
	require.Contains(t, []string{"a", "b"}, f[2], "head %q", head)
	n, err := strconv.Atoi(f[3])
	require.NoError(t, err)
	keys := []string{crashItem}
	for i := 1; i <= n; i++ {
		keys = append(keys, crashItem+"#"+f[2]+strconv.Itoa(i))
	}
	slices.Sort(keys)
	return keys
}

// requireOnly checks that the keychain holds value and no stale pieces.
func requireOnly(t *testing.T, b *crashBackend, value string) {
	t.Helper()
	require.Equal(t, value, readBack(t, b))
	require.Equal(t, expectedKeys(t, b, value), itemKeys(b))
}

// requireNoGaps checks the invariant the cleanup relies on, since it cannot
// list: in every slot the pieces present are #1..#k, and the slot the head
// names holds exactly its N.
func requireNoGaps(t *testing.T, b *crashBackend) {
	t.Helper()
	re := regexp.MustCompile("^" + regexp.QuoteMeta(crashItem) + "#([ab]?)([0-9]+)$")
	nums := map[string][]int{}
	for _, k := range itemKeys(b) {
		if m := re.FindStringSubmatch(k); m != nil {
			n, _ := strconv.Atoi(m[2])
			nums[m[1]] = append(nums[m[1]], n)
		} else {
			require.Equal(t, crashItem, k, "unexpected item")
		}
	}
	for slot, ns := range nums {
		slices.Sort(ns)
		for i, n := range ns {
			require.Equal(t, i+1, n, "slot %q has a gap: %v", slot, ns)
		}
	}
	if f := strings.Split(b.snapshot()[crashItem], ":"); len(f) == 5 && f[1] == "v2" {
		n, _ := strconv.Atoi(f[3])
		require.Len(t, nums[f[2]], n, "slot %s of the current head", f[2])
	}
}

type transition struct {
	name  string
	setup func(*testing.T, *crashBackend)
	old   string // "" if absent
	new   string // "" for a delete
	// mayLeave are the slots where pieces of the old value may outlive a
	// retry of the killed write (slotV1 stands for v1's ITEM#N). A plain
	// head names no slot, so a plain write cannot know where to look; a
	// chunked write only looks in its own slot. Deleting then finds them.
	mayLeave []string
}

func TestCrashAtomicity(t *testing.T) {
	ctx := context.Background()
	short, shortNew := "old-small", "new-small"
	tests := []transition{
		{name: "absent to chunked", setup: written(), new: val('n', 35)},
		{name: "plain to chunked", setup: written(short), old: short, new: val('n', 35)},
		{name: "plain to plain", setup: written(short), old: short, new: shortNew},
		{name: "chunked to more chunks", setup: written(val('o', 25)), old: val('o', 25), new: val('n', 55)},
		{name: "chunked to fewer chunks", setup: written(val('o', 55)), old: val('o', 55), new: val('n', 25)},
		{name: "chunked to as many chunks", setup: written(val('o', 35)), old: val('o', 35), new: val('n', 35)},
		{name: "slot b to slot a", setup: written(val('x', 25), val('o', 45)), old: val('o', 45), new: val('n', 25)},
		{name: "chunked to plain", setup: written(val('o', 35)), old: val('o', 35), new: shortNew, mayLeave: []string{"a"}},
		{name: "slot b to plain", setup: written(val('x', 25), val('o', 35)), old: val('o', 35), new: shortNew, mayLeave: []string{"b"}},
		{name: "v1 to chunked", setup: writtenV1(val('o', 35)), old: val('o', 35), new: val('n', 55), mayLeave: []string{slotV1}},
		{name: "v1 to plain", setup: writtenV1(val('o', 35)), old: val('o', 35), new: shortNew, mayLeave: []string{slotV1}},
		{name: "delete chunked", setup: written(val('o', 35)), old: val('o', 35)},
		{name: "delete slot b", setup: written(val('x', 25), val('o', 35)), old: val('o', 35)},
		{name: "delete v1", setup: writtenV1(val('o', 35)), old: val('o', 35)},
		{name: "delete plain", setup: written(short), old: short},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			op := func(b *crashBackend) error {
				if tt.new == "" {
					return crashStore(b).deleteValue(ctx, crashItem)
				}
				return crashStore(b).putValue(ctx, crashItem, tt.new)
			}
			healthy := newCrashBackend()
			tt.setup(t, healthy)
			healthy.restart(-1)
			require.NoError(t, op(healthy))
			total := healthy.calls
			requireOnly(t, healthy, tt.new)

			for k := 0; k <= total; k++ {
				b := newCrashBackend()
				tt.setup(t, b)
				require.Equal(t, tt.old, readBack(t, b), "set-up")

				b.restart(k)
				err := op(b)
				if k < total {
					require.ErrorIs(t, err, errKilled, "killed after %d of %d calls", k, total)
				} else {
					require.NoError(t, err)
				}
				got := readBack(t, b)
				require.True(t, got == tt.old || got == tt.new,
					"killed after %d of %d calls: read %q, want %q or %q", k, total, got, tt.old, tt.new)
				requireNoGaps(t, b)

				// The next process retries and must clean up what the
				// killed one left, without being able to list items.
				b.restart(-1)
				err = op(b)
				if tt.new == "" && errors.Is(err, auth.ErrNotFound) {
					err = nil // the killed delete got as far as the head
				}
				require.NoError(t, err, "retry after %d of %d calls", k, total)
				want := expectedKeys(t, b, tt.new)
				require.Equal(t, tt.new, readBack(t, b), "retry after %d of %d calls", k, total)
				for _, key := range itemKeys(b) {
					if slices.Contains(want, key) {
						continue
					}
					require.True(t, slices.ContainsFunc(tt.mayLeave, func(slot string) bool {
						return regexp.MustCompile("^" + regexp.QuoteMeta(crashItem+"#"+slot) + "[0-9]+$").MatchString(key)
					}), "retry after %d of %d calls left %q", k, total, key)
				}
				b.restart(-1)
				err = crashStore(b).deleteValue(ctx, crashItem)
				if tt.new == "" {
					require.ErrorIs(t, err, auth.ErrNotFound)
				} else {
					require.NoError(t, err)
				}
				require.Empty(t, itemKeys(b), "delete after a retry after %d of %d calls", k, total)
			}
		})
	}
}

// TestCrashRandom kills a long run of writes and deletes at random points,
// so that leftovers of one interrupted write meet the next ones.
func TestCrashRandom(t *testing.T) {
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(7, 11))
	b := newCrashBackend()
	writtenV1(val('o', 35))(t, b)
	have := val('o', 35)
	for i := range 3000 {
		want := "" // a delete
		if rng.IntN(8) != 0 {
			want = val(byte('A'+i%58), 1+rng.IntN(60))
		}
		limit := -1
		if rng.IntN(3) != 0 {
			limit = rng.IntN(16)
		}
		b.restart(limit)
		var err error
		if want == "" {
			err = crashStore(b).deleteValue(ctx, crashItem)
		} else {
			err = crashStore(b).putValue(ctx, crashItem, want)
		}
		if err != nil && !errors.Is(err, auth.ErrNotFound) {
			require.ErrorIs(t, err, errKilled)
		}
		got := readBack(t, b)
		require.True(t, got == have || got == want, "step %d: read %q, want %q or %q", i, got, have, want)
		if err == nil || errors.Is(err, auth.ErrNotFound) {
			require.Equal(t, want, got, "step %d completed", i)
		}
		have = got
		requireNoGaps(t, b)
	}
	b.restart(-1)
	err := crashStore(b).deleteValue(ctx, crashItem)
	if err != nil {
		require.ErrorIs(t, err, auth.ErrNotFound)
	}
	require.Empty(t, b.snapshot())
}

// TestCrashCallCounts pins how many keychain calls (10-30 ms each) the
// common operations cost, pieces of 10 bytes.
func TestCrashCallCounts(t *testing.T) {
	ctx := context.Background()
	three := val('n', 25)
	tests := []struct {
		name  string
		setup func(*testing.T, *crashBackend)
		op    func(*Store) error
		calls int
	}{
		// Read the head, write it.
		{"plain over plain", written("small"), func(s *Store) error { return s.putValue(ctx, crashItem, "tiny") }, 2},
		// Read the head, 3 pieces, look for leftovers, the head.
		{"chunked over plain", written("small"), func(s *Store) error { return s.putValue(ctx, crashItem, three) }, 6},
		// ... and remove the 3 old pieces.
		{"chunked over chunked", written(val('o', 25)), func(s *Store) error { return s.putValue(ctx, crashItem, three) }, 9},
		{"plain over chunked", written(val('o', 25)), func(s *Store) error { return s.putValue(ctx, crashItem, "tiny") }, 5},
		// Read the head, delete it and 3 pieces, look in the other 2 slots.
		{"delete chunked", written(val('o', 25)), func(s *Store) error { return s.deleteValue(ctx, crashItem) }, 7},
		{"delete plain", written("small"), func(s *Store) error { return s.deleteValue(ctx, crashItem) }, 5},
		{"delete absent", written(), func(s *Store) error {
			if err := s.deleteValue(ctx, crashItem); !errors.Is(err, auth.ErrNotFound) {
				return err
			}
			return nil
		}, 4},
		{"read chunked", written(val('o', 25)), func(s *Store) error { _, err := s.getValue(ctx, crashItem); return err }, 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := newCrashBackend()
			tt.setup(t, b)
			b.restart(-1)
			require.NoError(t, tt.op(crashStore(b)))
			require.Equal(t, tt.calls, b.calls)
		})
	}
}

// TestCrashHeadLookalike checks that values that look like heads of either
// version are stored chunked even when small, so they are never taken for
// a head.
func TestCrashHeadLookalike(t *testing.T) {
	ctx := context.Background()
	b := newCrashBackend()
	s := New("tokentray-test-fake", withBackend(b), WithChunkSize(200))
	sum := strings.Repeat("0", 64)
	for _, v := range []string{
		"tokentray-chunked:",
		"tokentray-chunked:v1:1:" + sum,
		"tokentray-chunked:v2:a:1:" + sum,
		"tokentray-chunked:v2:b:1:" + sum,
		"tokentray-chunked:v3:whatever",
	} {
		require.NoError(t, s.putValue(ctx, crashItem, v))
		require.NotEqual(t, v, b.snapshot()[crashItem], "stored as a head")
		got, err := s.getValue(ctx, crashItem)
		require.NoError(t, err)
		require.Equal(t, v, got)
		require.Len(t, itemKeys(b), 2, "a head and one piece")
	}
}
