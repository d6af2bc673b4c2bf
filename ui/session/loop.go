package session

import "fyne.io/fyne/v2"

// Loop runs work off Fyne's UI goroutine and then runs done on it. Fyne
// calls every callback on one goroutine; a keychain prompt or a slow issuer
// must never block it.
type Loop interface {
	Go(work, done func())
}

// FyneLoop is the Loop of a running app: work on a new goroutine, done
// through fyne.Do.
type FyneLoop struct{}

// Go implements Loop.
func (FyneLoop) Go(work, done func()) {
	go func() {
		work()
		fyne.Do(done)
	}()
}
