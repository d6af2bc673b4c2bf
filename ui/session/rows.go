package session

import (
	"context"
	"errors"
	"slices"
	"sort"
	"strings"

	"github.com/tokentray/tokentray/auth"
)

// rows is the one copy of the profiles' rows that the tray and the window
// both show. A change to one profile re-reads that profile alone; every
// profile is read only by Reload (the first load, the periodic re-read for
// other processes' changes, an explicit reload). Reads run one at a time, so
// a read always starts after the change that asked for it and its result is
// never older than the rows it replaces for long. UI goroutine only.
type rows struct {
	list    []Row // sorted by name
	listErr error // why the profiles could not be listed; list is nil then
	loaded  bool  // a full read finished

	reading bool
	all     bool            // a full read is wanted
	names   map[string]bool // profiles to re-read

	subs []func(name string)
}

// Watch registers f to be called on the UI goroutine after the rows
// changed: name's row (its stored state changed through the Engine, from
// anywhere in this process, or its last error did), or every row (name
// "") after a full read.
func (s *Session) Watch(f func(name string)) {
	s.rows.subs = append(s.rows.subs, f)
	s.hookEngine()
}

// hookEngine asks the engine to report changes, once.
func (s *Session) hookEngine() {
	s.watchEngine.Do(func() {
		// The engine calls its watchers on the goroutine that made the
		// change, usually a background one: hop onto the UI goroutine.
		s.Engine.Watch(func(name string) {
			s.Loop.Go(func() {}, func() { s.stale(name) })
		})
	})
}

// Rows returns the rows as last read, sorted by name, and why the profiles
// could not be listed (the rows are nil then). The slice is the caller's:
// updates replace it rather than change it.
func (s *Session) Rows() ([]Row, error) { return s.rows.list, s.rows.listErr }

// Loaded reports whether every profile has been read at least once.
func (s *Session) Loaded() bool { return s.rows.loaded }

// LoadOnce reads every profile unless that was done or is under way: the
// tray and the window both start with it and share one read.
func (s *Session) LoadOnce() {
	if s.rows.loaded || s.rows.all || s.rows.reading {
		return
	}
	s.Reload()
}

// Reload reads every profile's state (keychain only, no network) off the UI
// goroutine and tells the watchers. Calls while a read runs fold into one
// more read after it.
func (s *Session) Reload() {
	s.hookEngine()
	s.rows.all = true
	s.read()
}

// stale re-reads one profile after the engine reported a change.
func (s *Session) stale(name string) {
	r := &s.rows
	if r.listErr != nil || !r.loaded {
		// No list to update one row of: read them all.
		r.all = true
	} else {
		if r.names == nil {
			r.names = map[string]bool{}
		}
		r.names[name] = true
	}
	s.read()
}

// read starts the pending read unless one runs.
func (s *Session) read() {
	r := &s.rows
	if r.reading || (!r.all && len(r.names) == 0) {
		return
	}
	all := r.all
	var names []string
	for n := range r.names {
		names = append(names, n)
	}
	sort.Strings(names)
	r.all, r.names = false, nil
	r.reading = true

	var sts []auth.Status
	var err error
	s.Loop.Go(func() {
		ctx, cancel := context.WithTimeout(context.Background(), Timeout)
		defer cancel()
		if all {
			sts, err = s.Engine.Statuses(ctx)
			return
		}
		for _, n := range names {
			sts = append(sts, s.Engine.Status(ctx, n))
		}
	}, func() {
		r.reading = false
		if all {
			s.replaceRows(sts, err)
		} else {
			for _, st := range sts {
				s.updateRow(st)
			}
		}
		s.read()
	})
}

func (s *Session) replaceRows(sts []auth.Status, err error) {
	r := &s.rows
	list := make([]Row, len(sts))
	for i, st := range sts {
		list[i] = s.row(st)
	}
	if err != nil {
		list = nil
	}
	r.list, r.listErr, r.loaded = list, err, true
	s.tell("")
}

// updateRow puts one profile's fresh status in the rows: replaced,
// inserted (a new profile) or removed (gone from the keychain).
func (s *Session) updateRow(st auth.Status) {
	r := &s.rows
	name := st.Name()
	i, found := slices.BinarySearchFunc(r.list, name, func(x Row, n string) int { return strings.Compare(x.Name(), n) })
	list := slices.Clone(r.list)
	switch {
	case errors.Is(st.Err, auth.ErrNotFound):
		if !found {
			return
		}
		list = slices.Delete(list, i, i+1)
	case found:
		list[i] = s.row(st)
	default:
		list = slices.Insert(list, i, s.row(st))
	}
	r.list = list
	s.tell(name)
}

// failureChanged recomputes name's row after its last error changed: no
// keychain read, the status is the one last read.
func (s *Session) failureChanged(name string) {
	r := &s.rows
	for i, x := range r.list {
		if x.Name() == name {
			list := slices.Clone(r.list)
			list[i] = s.row(x.Status)
			r.list = list
			s.tell(name)
			return
		}
	}
}

func (s *Session) tell(name string) {
	for _, f := range s.rows.subs {
		f(name)
	}
}
