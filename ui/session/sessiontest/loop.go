package sessiontest

import (
	"fmt"
	"sync"
	"time"
)

// Loop is a session.Loop for tests that plays Fyne's main loop: work runs on
// its own goroutine as in the app, and Settle runs the done functions on the
// test's goroutine, which stands for the UI goroutine. Widgets are thus only
// touched from one goroutine, as in the app, and the race detector stays
// meaningful.
type Loop struct {
	mu      sync.Mutex
	pending int
	done    chan func()
}

// NewLoop returns an idle Loop.
func NewLoop() *Loop { return &Loop{done: make(chan func(), 1024)} }

// Go implements session.Loop.
func (l *Loop) Go(work, done func()) {
	l.mu.Lock()
	l.pending++
	l.mu.Unlock()
	go func() {
		work()
		l.done <- done
	}()
}

// Pending is the number of started actions whose done has not run yet.
func (l *Loop) Pending() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.pending
}

// SettleUntil runs done functions on the calling goroutine until cond
// holds (checked first and after each one), for actions that wait for the
// test, such as a device sign-in waiting for approval. It fails after
// timeout.
func (l *Loop) SettleUntil(cond func() bool, timeout time.Duration) error {
	deadline := time.After(timeout)
	for !cond() {
		select {
		case f := <-l.done:
			l.mu.Lock()
			l.pending--
			l.mu.Unlock()
			f()
		case <-deadline:
			return fmt.Errorf("condition not met after %v (%d actions running)", timeout, l.Pending())
		}
	}
	return nil
}

// Settle runs done functions on the calling goroutine until nothing is
// pending, including work started by those done functions. It fails after
// timeout, which means some work hung.
func (l *Loop) Settle(timeout time.Duration) error {
	deadline := time.After(timeout)
	for l.Pending() > 0 {
		select {
		case f := <-l.done:
			l.mu.Lock()
			l.pending--
			l.mu.Unlock()
			f()
		case <-deadline:
			return fmt.Errorf("%d actions still running after %v", l.Pending(), timeout)
		}
	}
	return nil
}
