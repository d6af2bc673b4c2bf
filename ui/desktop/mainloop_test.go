package desktop

import (
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// fakeFyne plays Fyne's loop: one goroutine running queued functions in
// order, and a count of how many it started.
type fakeFyne struct {
	queue chan func()
	mu    sync.Mutex
	ran   int
}

func newFakeFyne(t *testing.T) *fakeFyne {
	f := &fakeFyne{queue: make(chan func(), 64)}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for fn := range f.queue {
			f.mu.Lock()
			f.ran++ // counted when started: a park never returns by itself
			f.mu.Unlock()
			fn()
		}
	}()
	t.Cleanup(func() { close(f.queue); <-done })
	return f
}

func (f *fakeFyne) runs() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.ran
}

func TestMainLoop(t *testing.T) {
	fy := newFakeFyne(t)
	l := newMainLoop()
	l.do = func(fn func()) { fy.queue <- fn }

	var mu sync.Mutex
	var order []string
	ran := make(chan string, 16)
	note := func(s string) func() {
		return func() {
			mu.Lock()
			order = append(order, s)
			mu.Unlock()
			ran <- s
		}
	}
	wait := func(s string) {
		t.Helper()
		select {
		case got := <-ran:
			require.Equal(t, s, got)
		case <-time.After(2 * time.Second):
			t.Fatalf("%s did not run", s)
		}
	}

	// Shown: functions go through Fyne's loop.
	l.Do(note("a"))
	wait("a")
	require.Equal(t, 1, fy.runs())

	// Hidden: one park in Fyne's loop serves everything, in order.
	l.SetIdle(true)
	require.Eventually(t, func() bool {
		l.mu.Lock()
		defer l.mu.Unlock()
		return l.parked
	}, 2*time.Second, time.Millisecond)
	base := fy.runs()
	l.Do(note("b"))
	wait("b")
	var fromB sync.WaitGroup
	fromB.Add(1)
	l.Do(func() {
		// Work started from the UI goroutine comes back to it.
		l.Go(func() {}, func() { note("c")(); fromB.Done() })
	})
	wait("c")
	fromB.Wait()
	require.Equal(t, base, fy.runs(), "Fyne's loop ran nothing while parked")

	// Showing the window from a parked function ends the park after it.
	l.Do(func() { l.SetIdle(false); note("d")() })
	wait("d")
	require.Eventually(t, func() bool {
		l.mu.Lock()
		defer l.mu.Unlock()
		return !l.parked
	}, 2*time.Second, time.Millisecond, "the park returned")
	l.Do(note("e"))
	wait("e")
	require.Equal(t, base+1, fy.runs(), "shown again: through Fyne's loop")

	require.Equal(t, []string{"a", "b", "c", "d", "e"}, order)
}

// TestMainLoopParksAfterQueued checks that a park never strands a function
// handed to Fyne's loop behind it: the park waits until that one ran.
func TestMainLoopParksAfterQueued(t *testing.T) {
	fy := newFakeFyne(t)
	block := make(chan struct{})
	fy.queue <- func() { <-block } // Fyne busy: what follows queues up
	l := newMainLoop()
	l.do = func(fn func()) { fy.queue <- fn }

	var order []string
	var mu sync.Mutex
	done := make(chan struct{}, 2)
	add := func(s string) func() {
		return func() { mu.Lock(); order = append(order, s); mu.Unlock(); done <- struct{}{} }
	}
	l.SetIdle(true)
	time.Sleep(50 * time.Millisecond) // the park is queued
	l.Do(add("queued in Fyne"))       // behind the park, not parked yet
	close(block)
	<-done
	require.Eventually(t, func() bool {
		l.mu.Lock()
		defer l.mu.Unlock()
		return l.parked
	}, 2*time.Second, time.Millisecond)
	l.Do(add("parked"))
	<-done
	require.Equal(t, []string{"queued in Fyne", "parked"}, order)
	l.SetIdle(false)
}

// TestMainLoopStop checks what quitting does: the park ends and nothing
// handed over afterwards runs (Fyne would run it on the caller's goroutine).
func TestMainLoopStop(t *testing.T) {
	fy := newFakeFyne(t)
	l := newMainLoop()
	l.do = func(fn func()) { fy.queue <- fn }
	l.SetIdle(true)
	parked := func() bool {
		l.mu.Lock()
		defer l.mu.Unlock()
		return l.parked
	}
	require.Eventually(t, parked, 2*time.Second, time.Millisecond)
	l.Stop()
	require.Eventually(t, func() bool { return !parked() }, 2*time.Second, time.Millisecond, "the park ended")
	started := fy.runs()
	ran := make(chan struct{}, 1)
	l.Do(func() { ran <- struct{}{} })
	l.Go(func() {}, func() { ran <- struct{}{} })
	select {
	case <-ran:
		t.Fatal("a function ran after Stop")
	case <-time.After(200 * time.Millisecond):
	}
	require.Equal(t, started, fy.runs(), "nothing reached Fyne's loop")
}
