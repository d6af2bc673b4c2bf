package desktop

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/fsnotify/fsnotify"
)

// changeDebounce folds the touches of one change (a rotated refresh token,
// then the token cache) and of a burst of changes into one reload.
const changeDebounce = 200 * time.Millisecond

// changeWatch reports profiles changed by other processes: the engine of
// every tokentray process touches <dir>/<name>.lock after each stored change
// (auth.FileLocker.Touch), so a refresh from the command line shows in the
// tray at once instead of at the next periodic reload.
type changeWatch struct {
	dir string

	mu  sync.Mutex
	own map[string]time.Time // profile -> time of this process's last touch
}

// Own records a change made by this process (an Engine watcher: the engine
// calls it right after touching the file), so that its event is not
// reported as another process's.
func (c *changeWatch) Own(name string) {
	fi, err := os.Stat(filepath.Join(c.dir, name+".lock"))
	if err != nil {
		return
	}
	c.mu.Lock()
	if c.own == nil {
		c.own = map[string]time.Time{}
	}
	c.own[name] = fi.ModTime()
	c.mu.Unlock()
}

// foreign reports whether name's file was touched since this process's
// own last touch.
func (c *changeWatch) foreign(name string) bool {
	fi, err := os.Stat(filepath.Join(c.dir, name+".lock"))
	if err != nil {
		return true
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return !c.own[name].Equal(fi.ModTime())
}

// Start calls changed with the names of the profiles another process
// changed. Events are collected for debounce after the first one; changed
// runs on the watcher's goroutine. stop ends the watch and waits for that
// goroutine.
func (c *changeWatch) Start(debounce time.Duration, changed func(names []string)) (stop func(), err error) {
	// The directory exists once any process took a lock; create it so that
	// the very first change is seen too (FileLocker does the same).
	if err := os.MkdirAll(c.dir, 0o700); err != nil {
		return nil, fmt.Errorf("watch %s: %w", c.dir, err)
	}
	w, err := fsnotify.NewWatcher()
	if err != nil {
		return nil, fmt.Errorf("watch %s: %w", c.dir, err)
	}
	if err := w.Add(c.dir); err != nil {
		w.Close()
		return nil, fmt.Errorf("watch %s: %w", c.dir, err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		pending := map[string]bool{}
		var fire <-chan time.Time
		for {
			select {
			case ev, ok := <-w.Events:
				if !ok {
					return
				}
				// Touch sets the times (Chmod, IN_ATTRIB) or creates the
				// file; Write covers tools that rewrite it.
				if !ev.Has(fsnotify.Chmod | fsnotify.Write | fsnotify.Create) {
					continue
				}
				name, ok := strings.CutSuffix(filepath.Base(ev.Name), ".lock")
				if !ok || name == "" {
					continue
				}
				pending[name] = true
				if fire == nil {
					fire = time.After(debounce)
				}
			case <-fire:
				var names []string
				for n := range pending {
					if c.foreign(n) {
						names = append(names, n)
					}
				}
				clear(pending)
				fire = nil
				if len(names) > 0 {
					slices.Sort(names)
					changed(names)
				}
			case _, ok := <-w.Errors:
				// An overflow loses events, not the watch: the periodic
				// reload still catches up.
				if !ok {
					return
				}
			}
		}
	}()
	return func() {
		w.Close()
		<-done
	}, nil
}
