//go:build linux || freebsd || openbsd || netbsd || dragonfly

package clipboard

import (
	"errors"
	"fmt"
	"io"
	"log"
	"sync"
	"time"

	"github.com/jezek/xgb"
	"github.com/jezek/xgb/xproto"
)

// X11 owns the CLIPBOARD selection itself, over its own connection to the
// X server (pure Go, github.com/jezek/xgb), instead of starting xclip for
// each copy. Besides the text (UTF8_STRING, STRING, TEXT, text/plain) it
// offers x-kde-passwordManagerHint = "secret", the mark KeePassXC and KDE
// set on passwords: Klipper, CopyQ, GPaste and others leave such entries
// out of their history. A paste into any text field works as before.
//
// The text lives in this process: it is on the clipboard while the process
// owns the selection and gone when the process exits or another program
// copies something. A command-line copy therefore hands the text to a
// detached helper (see Detached).
type X11 struct {
	conn    *xgb.Conn
	win     xproto.Window
	atoms   atoms
	maxData int // the longest property one request can carry

	// op serialises WriteAll and ReadAll: each waits for an event the
	// loop hands over.
	op      sync.Mutex
	stamps  chan xproto.Timestamp            // PropertyNotify on our window: a server time
	replies chan xproto.SelectionNotifyEvent // answers to our ConvertSelection

	mu    sync.Mutex // guards what the loop reads when answering
	text  string
	owned bool
	since xproto.Timestamp // when the selection was taken
	lost  chan struct{}    // closed when the selection is lost or given up
	done  chan struct{}    // closed when the connection is gone
}

type atoms struct {
	clipboard, targets, timestamp, utf8, text, plain, plainUTF8, hint, incr, stamp, prop xproto.Atom
}

// waitX bounds each wait for the X server: a server that stops answering
// must not hang a copy.
const waitX = 2 * time.Second

var quietXGB sync.Once

// errNoAnswer is an X server that stopped answering.
var errNoAnswer = errors.New("the X server did not answer")

// within runs f, giving up after waitX: an X server that stops answering
// must not hang a copy (the call itself ends when the connection does).
func within[T any](f func() (T, error)) (T, error) {
	type result struct {
		v   T
		err error
	}
	ch := make(chan result, 1)
	go func() {
		v, err := f()
		ch <- result{v, err}
	}()
	select {
	case r := <-ch:
		return r.v, r.err
	case <-time.After(waitX):
		var zero T
		return zero, errNoAnswer
	}
}

// NewX11 connects to the X server of display ("" is $DISPLAY) and creates
// the small unmapped window that owns the selection, within waitX.
func NewX11(display string) (*X11, error) {
	// xgb logs its connection errors to stderr; tokentray reports errors
	// itself, and nothing here may print what passes through.
	quietXGB.Do(func() { xgb.Logger = log.New(io.Discard, "", 0) })
	return within(func() (*X11, error) { return newX11(display) })
}

func newX11(display string) (*X11, error) {
	conn, err := xgb.NewConnDisplay(display)
	if err != nil {
		return nil, fmt.Errorf("connect to the X server: %w", err)
	}
	c := &X11{conn: conn, stamps: make(chan xproto.Timestamp, 1), replies: make(chan xproto.SelectionNotifyEvent, 1), done: make(chan struct{})}
	if err := c.setup(); err != nil {
		conn.Close()
		return nil, err
	}
	go c.loop()
	return c, nil
}

func (c *X11) setup() error {
	setup := xproto.Setup(c.conn)
	screen := setup.DefaultScreen(c.conn)
	// A request is at most MaximumRequestLength four-byte units, of which
	// ChangeProperty's header takes 24 bytes.
	c.maxData = int(setup.MaximumRequestLength)*4 - 24
	win, err := xproto.NewWindowId(c.conn)
	if err != nil {
		return err
	}
	c.win = win
	err = xproto.CreateWindowChecked(c.conn, 0, win, screen.Root, 0, 0, 1, 1, 0,
		xproto.WindowClassInputOnly, 0, xproto.CwEventMask, []uint32{xproto.EventMaskPropertyChange}).Check()
	if err != nil {
		return fmt.Errorf("create the clipboard window: %w", err)
	}
	names := []string{"CLIPBOARD", "TARGETS", "TIMESTAMP", "UTF8_STRING", "TEXT", "text/plain",
		"text/plain;charset=utf-8", "x-kde-passwordManagerHint", "INCR", "_TOKENTRAY_TIME", "_TOKENTRAY_SELECTION"}
	cookies := make([]xproto.InternAtomCookie, len(names))
	for i, n := range names {
		cookies[i] = xproto.InternAtom(c.conn, false, uint16(len(n)), n)
	}
	got := make([]xproto.Atom, len(names))
	for i, ck := range cookies {
		r, err := ck.Reply()
		if err != nil {
			return fmt.Errorf("intern atom %s: %w", names[i], err)
		}
		got[i] = r.Atom
	}
	c.atoms = atoms{got[0], got[1], got[2], got[3], got[4], got[5], got[6], got[7], got[8], got[9], got[10]}
	return nil
}

// Close gives the selection up and disconnects (waiting at most waitX for
// the server).
func (c *X11) Close() {
	go c.conn.Close()
	select {
	case <-c.done:
	case <-time.After(waitX):
	}
}

// Lost is closed when the text last written is no longer on the
// clipboard: another program copied something, or it was given up.
func (c *X11) Lost() <-chan struct{} {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.lost == nil {
		ch := make(chan struct{})
		close(ch)
		return ch
	}
	return c.lost
}

// WriteAll puts text on the clipboard. The empty string gives the
// selection up instead, if this process still holds it: the clipboard is
// then empty, and whatever another program copied since stays theirs.
func (c *X11) WriteAll(text string) error {
	c.op.Lock()
	defer c.op.Unlock()
	if text == "" {
		return c.release()
	}
	if len(text) > c.maxData {
		return fmt.Errorf("%d bytes are more than the X server takes in one piece", len(text))
	}
	// ICCCM: take the selection with a real server time, which a
	// zero-length append to a property of our own window gives.
	for len(c.stamps) > 0 {
		<-c.stamps
	}
	xproto.ChangeProperty(c.conn, xproto.PropModeAppend, c.win, c.atoms.stamp, xproto.AtomString, 8, 0, nil)
	var t xproto.Timestamp
	select {
	case t = <-c.stamps:
	case <-c.done:
		return errClosed
	case <-time.After(waitX):
		return errNoAnswer
	}
	c.mu.Lock()
	c.text, c.since = text, t
	if !c.owned {
		c.owned, c.lost = true, make(chan struct{})
	}
	c.mu.Unlock()
	xproto.SetSelectionOwner(c.conn, c.win, c.atoms.clipboard, t)
	owner, err := within(xproto.GetSelectionOwner(c.conn, c.atoms.clipboard).Reply)
	if err != nil {
		return fmt.Errorf("take the clipboard: %w", err)
	}
	if owner.Owner != c.win {
		c.drop()
		return errors.New("another program holds on to the clipboard")
	}
	return nil
}

func (c *X11) release() error {
	c.mu.Lock()
	owned, since := c.owned, c.since
	c.mu.Unlock()
	if !owned {
		return nil
	}
	// A time no earlier than our own taking: the server ignores a release
	// older than the current owner's time, so one that raced with another
	// program's copy cannot undo it.
	xproto.SetSelectionOwner(c.conn, xproto.WindowNone, c.atoms.clipboard, since)
	c.drop()
	_, err := within(xproto.GetSelectionOwner(c.conn, c.atoms.clipboard).Reply)
	return err
}

// takenAfter reports whether this process took the selection after t.
func (c *X11) takenAfter(t xproto.Timestamp) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.owned && t != xproto.TimeCurrentTime && t < c.since
}

// drop forgets the text and tells Lost's waiters.
func (c *X11) drop() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.owned {
		close(c.lost)
	}
	c.owned, c.text = false, ""
}

// ReadAll returns the clipboard's text: this process's own without asking
// anyone, another program's by converting the selection to UTF8_STRING.
// An empty clipboard, or one holding no text, reads as "".
func (c *X11) ReadAll() (string, error) {
	c.op.Lock()
	defer c.op.Unlock()
	c.mu.Lock()
	owned, text := c.owned, c.text
	c.mu.Unlock()
	if owned {
		return text, nil
	}
	for len(c.replies) > 0 {
		<-c.replies
	}
	xproto.ConvertSelection(c.conn, c.win, c.atoms.clipboard, c.atoms.utf8, c.atoms.prop, xproto.TimeCurrentTime)
	var n xproto.SelectionNotifyEvent
	select {
	case n = <-c.replies:
	case <-c.done:
		return "", errClosed
	case <-time.After(waitX):
		return "", errors.New("the program holding the clipboard did not answer")
	}
	if n.Property == xproto.AtomNone {
		return "", nil
	}
	r, err := within(xproto.GetProperty(c.conn, true, c.win, c.atoms.prop, xproto.GetPropertyTypeAny, 0, uint32(c.maxData/4)).Reply)
	if err != nil {
		return "", fmt.Errorf("read the clipboard: %w", err)
	}
	if r.Type == c.atoms.incr || r.BytesAfter > 0 {
		return "", errors.New("the clipboard holds more than one piece of text can carry")
	}
	return string(r.Value[:r.ValueLen]), nil
}

var errClosed = errors.New("the connection to the X server is closed")

// loop handles the X server's events until the connection closes.
func (c *X11) loop() {
	defer func() {
		c.drop()
		close(c.done)
	}()
	for {
		ev, xerr := c.conn.WaitForEvent()
		if ev == nil && xerr == nil {
			return // closed
		}
		switch e := ev.(type) {
		case xproto.SelectionRequestEvent:
			c.answer(e)
		case xproto.SelectionClearEvent:
			// One older than our latest taking of the selection is about an
			// earlier copy (another program took it in between, then we
			// took it back): it does not end this one.
			if e.Selection == c.atoms.clipboard && !c.takenAfter(e.Time) {
				c.drop()
			}
		case xproto.PropertyNotifyEvent:
			if e.Atom == c.atoms.stamp && e.State == xproto.PropertyNewValue {
				select {
				case c.stamps <- e.Time:
				default:
				}
			}
		case xproto.SelectionNotifyEvent:
			if e.Selection == c.atoms.clipboard {
				select {
				case c.replies <- e:
				default:
				}
			}
		}
	}
}

// answer serves a paste: it writes the requested form of the text into the
// requestor's property and tells it so, or refuses with property None.
func (c *X11) answer(e xproto.SelectionRequestEvent) {
	prop := e.Property
	if prop == xproto.AtomNone {
		prop = e.Target // an obsolete requestor (ICCCM 2.2)
	}
	c.mu.Lock()
	owned, text, since := c.owned, c.text, c.since
	c.mu.Unlock()
	typ, format, data := c.convert(e.Target, text, since)
	if !owned || e.Selection != c.atoms.clipboard || data == nil || len(data) > c.maxData ||
		(e.Time != xproto.TimeCurrentTime && e.Time < since) {
		prop = xproto.AtomNone
	} else {
		xproto.ChangeProperty(c.conn, xproto.PropModeReplace, e.Requestor, prop, typ, format, uint32(len(data)*8/int(format)), data)
	}
	n := xproto.SelectionNotifyEvent{Time: e.Time, Requestor: e.Requestor, Selection: e.Selection, Target: e.Target, Property: prop}
	xproto.SendEvent(c.conn, false, e.Requestor, xproto.EventMaskNoEvent, string(n.Bytes()))
}

// convert returns the property for target, or nil data for a target not
// offered (MULTIPLE among them: no clipboard reader needs it for text).
func (c *X11) convert(target xproto.Atom, text string, since xproto.Timestamp) (typ xproto.Atom, format byte, data []byte) {
	a := c.atoms
	switch target {
	case a.targets:
		offered := []xproto.Atom{a.targets, a.timestamp, a.utf8, xproto.AtomString, a.text, a.plainUTF8, a.plain, a.hint}
		data = make([]byte, 4*len(offered))
		for i, t := range offered {
			xgb.Put32(data[4*i:], uint32(t))
		}
		return xproto.AtomAtom, 32, data
	case a.timestamp:
		data = make([]byte, 4)
		xgb.Put32(data, uint32(since))
		return xproto.AtomInteger, 32, data
	case a.utf8, a.text:
		return a.utf8, 8, []byte(text)
	case xproto.AtomString:
		// Latin-1; tokens are ASCII, which is the same bytes.
		return xproto.AtomString, 8, []byte(text)
	case a.plain, a.plainUTF8:
		return target, 8, []byte(text)
	case a.hint:
		return a.hint, 8, []byte("secret")
	}
	return 0, 0, nil
}
