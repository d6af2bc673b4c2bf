package session

import (
	"sync"
	"time"
)

// ClearTimeout bounds FlushClear: a clipboard tool that hangs must not keep
// the app from quitting.
const ClearTimeout = 3 * time.Second

// clip is the auto-clear's state. Its mutex is held across a copy's
// clipboard write and the arming of that value's timer, so the value last
// written is always the one with the armed timer, whatever order concurrent
// copies finish in. It is not Session.mu: a slow clipboard tool must not
// hold up the UI goroutine, which takes Session.mu.
type clip struct {
	mu    sync.Mutex
	after time.Duration // 0: no auto-clear
	value string        // the token written last, while its clear is pending
	stop  func() bool   // stops the pending clear's timer
	seq   uint64        // tells a superseded timer that fired anyway
}

// SetAutoClear makes every following copy wipe the clipboard after d if it
// still holds what was copied; 0 turns it off. Safe from any goroutine.
func (s *Session) SetAutoClear(d time.Duration) {
	s.clip.mu.Lock()
	s.clip.after = d
	s.clip.mu.Unlock()
}

// writeToken puts a token on the clipboard and arms its auto-clear,
// replacing an earlier one: a newer copy must not be wiped by an older
// timer. Off the UI goroutine.
func (s *Session) writeToken(value string) error {
	c := &s.clip
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := s.Clipboard.WriteAll(value); err != nil {
		return err // the clipboard may still hold the older token: keep its timer
	}
	if c.stop != nil {
		c.stop()
	}
	c.seq++
	c.value, c.stop = "", nil
	if c.after <= 0 {
		return nil
	}
	after := s.AfterFunc
	if after == nil {
		after = func(d time.Duration, f func()) func() bool { return time.AfterFunc(d, f).Stop }
	}
	seq := c.seq
	c.value = value
	// The check and the wipe run on the timer's goroutine, never on the UI
	// goroutine.
	c.stop = after(c.after, func() {
		c.mu.Lock()
		defer c.mu.Unlock()
		if c.seq == seq {
			s.clearLocked()
		}
	})
	return nil
}

// clearLocked wipes the clipboard if it still holds the pending value: only
// our own token, whatever the user copied since is theirs. c.mu is held.
func (s *Session) clearLocked() {
	c := &s.clip
	value := c.value
	if c.stop != nil {
		c.stop()
	}
	c.seq++
	c.value, c.stop = "", nil
	if value == "" {
		return
	}
	if cur, err := s.Clipboard.ReadAll(); err == nil && cur == value {
		_ = s.Clipboard.WriteAll("")
	}
}

// FlushClear does a pending auto-clear now: the owner calls it when the app
// quits, since the clipboard may outlive the process (wl-copy, Windows and
// macOS keep the text) and the timer would not. Like the timer it wipes only a token tokentray
// put there and the user has not replaced. It blocks for the clipboard tool,
// at most ClearTimeout; safe from any goroutine.
func (s *Session) FlushClear() {
	done := make(chan struct{})
	go func() {
		defer close(done)
		s.clip.mu.Lock()
		defer s.clip.mu.Unlock()
		s.clearLocked()
	}()
	select {
	case <-done:
	case <-time.After(ClearTimeout):
	}
}
