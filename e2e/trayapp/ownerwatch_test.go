package trayapp_test

import (
	"testing"
	"time"

	"github.com/jezek/xgb"
	"github.com/jezek/xgb/xfixes"
	"github.com/jezek/xgb/xproto"
)

// ownerWatch learns from the X server (XFixes selection events, as
// clipboard managers do) the moment the CLIPBOARD selection gets a new
// owner: a paste from then on gets the new owner's text. Waiting for that
// event costs the X server and the app nothing, where asking for the
// clipboard's text over and over would take the CPU the timed click needs.
type ownerWatch struct {
	conn      *xgb.Conn
	clipboard xproto.Atom
	events    chan xfixes.SelectionNotifyEvent
}

func newOwnerWatch(tb testing.TB, display string) *ownerWatch {
	tb.Helper()
	conn, err := xgb.NewConnDisplay(display)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(conn.Close)
	if err := xfixes.Init(conn); err != nil {
		tb.Fatal(err)
	}
	if _, err := xfixes.QueryVersion(conn, 5, 0).Reply(); err != nil {
		tb.Fatal(err)
	}
	atom, err := xproto.InternAtom(conn, false, uint16(len("CLIPBOARD")), "CLIPBOARD").Reply()
	if err != nil {
		tb.Fatal(err)
	}
	root := xproto.Setup(conn).DefaultScreen(conn).Root
	if err := xfixes.SelectSelectionInputChecked(conn, root, atom.Atom, xfixes.SelectionEventMaskSetSelectionOwner).Check(); err != nil {
		tb.Fatal(err)
	}
	w := &ownerWatch{conn: conn, clipboard: atom.Atom, events: make(chan xfixes.SelectionNotifyEvent, 64)}
	go func() {
		defer close(w.events)
		for {
			ev, err := conn.WaitForEvent()
			if ev == nil && err == nil {
				return // closed
			}
			if n, ok := ev.(xfixes.SelectionNotifyEvent); ok && n.Selection == w.clipboard {
				w.events <- n
			}
		}
	}()
	return w
}

// owner is the selection's owner now, and the sequence number of the
// request that asked: the X server stamps each event with the number of
// the last request it had read from this connection, and the watch sends
// no other, so an event stamped with it happened after the answer.
func (w *ownerWatch) owner(tb testing.TB) (xproto.Window, uint16) {
	tb.Helper()
	cookie := xproto.GetSelectionOwner(w.conn, w.clipboard)
	r, err := cookie.Reply()
	if err != nil {
		tb.Fatal(err)
	}
	return r.Owner, cookie.Sequence
}

// next waits up to timeout for the selection to be taken by another owner
// than old, after the owner call that returned old and seq, and reports
// whether it was.
func (w *ownerWatch) next(old xproto.Window, seq uint16, timeout time.Duration) bool {
	deadline := time.After(timeout)
	for {
		select {
		case ev, ok := <-w.events:
			if !ok {
				return false
			}
			if ev.Sequence == seq && ev.Owner != old && ev.Owner != xproto.WindowNone {
				return true
			}
		case <-deadline:
			return false
		}
	}
}
