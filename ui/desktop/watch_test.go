package desktop

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/tokentray/tokentray/auth"
)

// TestChangeWatch touches lock files the way another process's engine does
// (auth.FileLocker.Touch) and checks which profiles are reported, and when.
func TestChangeWatch(t *testing.T) {
	// Long enough that back-to-back touches never straddle it, even on a
	// loaded machine; absence is checked for longer still.
	const debounce, quiet = 400 * time.Millisecond, 700 * time.Millisecond
	dir := filepath.Join(t.TempDir(), "locks", "svc") // not there yet
	got := make(chan []string, 16)
	changes := &changeWatch{dir: dir}
	stop, err := changes.Start(debounce, func(names []string) { got <- names })
	require.NoError(t, err)
	defer stop()
	locks := auth.FileLocker{Dir: dir}
	next := func(within time.Duration) []string {
		t.Helper()
		select {
		case n := <-got:
			return n
		case <-time.After(within):
			return nil
		}
	}

	t.Run("a first change creates the file", func(t *testing.T) {
		locks.Touch("dev")
		require.Equal(t, []string{"dev"}, next(2*time.Second))
	})
	t.Run("a later change only moves its time", func(t *testing.T) {
		time.Sleep(10 * time.Millisecond)
		locks.Touch("dev")
		require.Equal(t, []string{"dev"}, next(2*time.Second))
	})
	t.Run("a burst is one call", func(t *testing.T) {
		locks.Touch("staging")
		locks.Touch("ci-bot")
		locks.Touch("staging")
		require.Equal(t, []string{"ci-bot", "staging"}, next(2*time.Second))
		require.Nil(t, next(quiet), "nothing after the burst")
	})
	t.Run("other files are not profiles", func(t *testing.T) {
		require.NoError(t, os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("x"), 0o600))
		require.Nil(t, next(quiet))
	})
	t.Run("this process's own changes are not reported", func(t *testing.T) {
		time.Sleep(10 * time.Millisecond)
		locks.Touch("dev")
		changes.Own("dev") // what the engine's watcher does right after
		require.Nil(t, next(quiet))
		time.Sleep(10 * time.Millisecond)
		locks.Touch("dev") // another process, later
		require.Equal(t, []string{"dev"}, next(2*time.Second))
	})
	t.Run("taking a lock is not a change", func(t *testing.T) {
		unlock, err := locks.Lock(t.Context(), "dev")
		require.NoError(t, err)
		unlock()
		require.Nil(t, next(quiet))
	})
}
