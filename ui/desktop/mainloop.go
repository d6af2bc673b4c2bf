package desktop

import (
	"os"
	"os/signal"
	"sync"
	"sync/atomic"
	"syscall"

	"fyne.io/fyne/v2"
)

// mainLoop runs functions on the UI goroutine. While the window is shown
// that is Fyne's loop (fyne.Do). While it is hidden, the app parks Fyne's
// loop, which otherwise wakes 60 times a second to poll X and repaint
// nothing (about 2 % of a core, for a tray icon), and serves the functions
// itself, on the same goroutine, inside one Fyne callback: widgets are still
// only touched there, and tray clicks, reloads and notifications go on.
// What Fyne itself queues meanwhile (a theme change) runs when the window is
// shown again. Once the app quits (Stop), functions are dropped: Fyne would
// run them on the caller's goroutine after its loop ended.
type mainLoop struct {
	do      func(func()) // fyne.Do; tests replace it
	wake    chan struct{}
	stopped atomic.Bool

	mu      sync.Mutex
	idle    bool     // the app wants Fyne's loop parked
	parked  bool     // a park is serving queue
	pending bool     // a park is queued in Fyne's loop
	inFyne  int      // functions handed to do that have not run yet
	queue   []func() // functions for the park
}

func newMainLoop() *mainLoop {
	return &mainLoop{do: fyne.Do, wake: make(chan struct{}, 1)}
}

// StopOnSignal stops the loop when the process gets SIGINT or SIGTERM, on
// which Fyne quits: before Fyne's handler gets to, in practice, since that
// one waits for Fyne's loop.
func (l *mainLoop) StopOnSignal() {
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
	go func() {
		<-sig
		l.Stop()
	}()
}

// Stop ends a park for good and drops every function handed over from now
// on, and those not run yet. The app calls it when it quits.
func (l *mainLoop) Stop() {
	l.stopped.Store(true)
	l.mu.Lock()
	l.idle = false
	l.mu.Unlock()
	l.poke()
}

// Do runs f on the UI goroutine, after what was handed over before it.
// Safe from any goroutine.
func (l *mainLoop) Do(f func()) {
	if l.stopped.Load() {
		return
	}
	l.mu.Lock()
	if l.parked {
		l.queue = append(l.queue, f)
		l.mu.Unlock()
		l.poke()
		return
	}
	l.inFyne++
	l.mu.Unlock()
	l.do(func() {
		l.mu.Lock()
		l.inFyne--
		l.mu.Unlock()
		if !l.stopped.Load() {
			f()
		}
	})
}

// Go implements session.Loop: work on a new goroutine, then done on the UI
// goroutine.
func (l *mainLoop) Go(work, done func()) {
	go func() {
		work()
		l.Do(done)
	}()
}

// SetIdle parks Fyne's loop (true: the window was hidden) or ends the park
// (false: the window is about to be shown, or the app quits). Safe from any
// goroutine; on the UI goroutine the park ends when the running function
// returns.
func (l *mainLoop) SetIdle(idle bool) {
	l.mu.Lock()
	l.idle = idle
	queue := idle && !l.parked && !l.pending
	if queue {
		l.pending = true
	}
	l.mu.Unlock()
	if queue {
		// From a goroutine of its own: before Fyne's loop runs, fyne.Do
		// on the main goroutine would run the park at once, for ever.
		go l.do(l.park)
	} else if !idle {
		l.poke()
	}
}

func (l *mainLoop) poke() {
	select {
	case l.wake <- struct{}{}:
	default:
	}
}

// park runs in Fyne's loop and serves the queue until the app is no longer
// idle.
func (l *mainLoop) park() {
	l.mu.Lock()
	l.pending = false
	if !l.idle {
		l.mu.Unlock()
		return
	}
	if l.inFyne > 0 {
		// Functions handed to Fyne before the park are behind it in Fyne's
		// queue: park after them, so that order is kept.
		l.pending = true
		l.mu.Unlock()
		l.do(l.park)
		return
	}
	l.parked = true
	l.mu.Unlock()
	for {
		<-l.wake
		for {
			l.mu.Lock()
			q := l.queue
			l.queue = nil
			if len(q) == 0 && !l.idle {
				l.parked = false
				l.mu.Unlock()
				return
			}
			l.mu.Unlock()
			if len(q) == 0 {
				break
			}
			for _, f := range q {
				if !l.stopped.Load() {
					f()
				}
			}
		}
	}
}
