package session

import (
	"sync"
	"sync/atomic"
	"time"
)

// noteQueue is how many notifications may wait for a slow notifier; more
// are dropped (the window's status line still says what happened).
const noteQueue = 16

// notes hands notifications to Session.Notify on a goroutine of their own,
// one at a time and in order.
type notes struct {
	quiet atomic.Bool

	mu    sync.Mutex
	queue chan note
	last  chan struct{} // closed once the last queued notification was shown
}

type note struct {
	title, body string
	shown       chan struct{}
}

// SetNotifications turns the notifications of copies, sign-ins and
// failures on (the default) or off. Safe from any goroutine.
func (s *Session) SetNotifications(on bool) { s.notes.quiet.Store(!on) }

// Announce shows a notification through Notify like a copy's, off the UI
// goroutine, but whatever SetNotifications says: for notices with a setting
// of their own, such as a token about to expire. Call it on the UI
// goroutine; it never blocks.
func (s *Session) Announce(title, body string) {
	if s.Notify == nil {
		return
	}
	n := note{title: title, body: body, shown: make(chan struct{})}
	q := &s.notes
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.queue == nil {
		q.queue = make(chan note, noteQueue)
		go s.notifier(q.queue)
	}
	select {
	case q.queue <- n:
		q.last = n.shown
	default:
		// The notifier is stuck (a D-Bus call without a timeout): drop
		// this one rather than pile up goroutines.
	}
}

func (s *Session) notifier(queue <-chan note) {
	for n := range queue {
		s.Notify(n.title, n.body)
		close(n.shown)
	}
}

func (s *Session) notify(title, body string) {
	if !s.notes.quiet.Load() {
		s.Announce(title, body)
	}
}

// WaitNotified waits until every notification handed over so far has been
// shown, or until timeout, and reports whether they were. Tests use it;
// the app may too, to show a last failure before quitting.
func (s *Session) WaitNotified(timeout time.Duration) bool {
	s.notes.mu.Lock()
	last := s.notes.last
	s.notes.mu.Unlock()
	if last == nil {
		return true
	}
	select {
	case <-last:
		return true
	case <-time.After(timeout):
		return false
	}
}
