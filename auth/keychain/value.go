package keychain

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/tokentray/tokentray/auth"
)

// Values larger than the chunk size are split, because Windows and macOS
// refuse large items and real access tokens (JWTs with many claims, a token
// set with an ID token) are larger than that. The item ITEM then holds a
// head instead of the value:
//
//	tokentray-chunked:v2:SLOT:N:SHA256
//
// and ITEM#SLOT1 ... ITEM#SLOTN hold the pieces, SLOT being "a" or "b". The
// checksum lets a reader notice a value that another process replaced while
// it was reading instead of returning a mix.
//
// A write must survive being killed at any point: the keychain must then
// hold the complete old or the complete new value, since losing a refresh
// token means signing in again. Only a single item write is atomic, so the
// head is the switch: the new pieces go to the slot the current head does
// not use (slot a if it names none), then the head is written, and only then
// are the old pieces removed. Deleting removes the head first.
//
// go-keyring cannot list, so what a killed write leaves must be findable by
// name, hence two fixed slots: a write killed before the switch left pieces
// in the slot its retry uses again, one killed after it left old pieces in
// the slot the next chunked write uses. A write overwrites leftovers in its
// slot and removes those beyond its count before the switch, so a current
// slot holds exactly N pieces and can later be removed by count. Pieces are
// written upwards and removed downwards, so leftovers are #1..#k without a
// gap, and reading upwards until one is missing finds them all.
//
// Writes look nowhere else, each look being a round trip (a small value
// takes two calls). Pieces a kill left behind a plain head, or v1 pieces of
// a value being moved, stay until the next write to their slot; deleting,
// the last chance, looks in every slot.
//
// Earlier versions wrote tokentray-chunked:v1:N:SHA256 with pieces
// ITEM#1..ITEM#N, overwritten in place (not crash-safe). Those heads are
// still read; the next write moves the value to slot a.
//
// A small value that happens to start with chunkPrefix is stored chunked
// (as one piece) so that it can never be mistaken for a head of any version.
const chunkPrefix = "tokentray-chunked:"

const slotV1 = "" // v1 pieces have a bare number

func chunkItem(item, slot string, i int) string { return item + "#" + slot + strconv.Itoa(i) }

// chunks is what a head names: n pieces in slot with checksum sum. n is 0
// for a plain, absent or damaged value.
type chunks struct {
	slot string
	n    int
	sum  string
}

// damagedError is a chunked value that cannot be put back together.
type damagedError struct {
	item   string
	detail string
}

func (e *damagedError) Error() string {
	return fmt.Sprintf("keychain item %q is damaged: %s", e.item, e.detail)
}

func makeHead(slot string, n int, value string) string {
	sum := sha256.Sum256([]byte(value))
	return chunkPrefix + "v2:" + slot + ":" + strconv.Itoa(n) + ":" + hex.EncodeToString(sum[:])
}

// parseHead returns the pieces a head names, or none for a plain value.
func parseHead(item, v string) (chunks, error) {
	rest, ok := strings.CutPrefix(v, chunkPrefix)
	if !ok {
		return chunks{}, nil
	}
	// A head of a newer version counts as damaged: better than half read.
	bad := &damagedError{item: item, detail: "unreadable chunk header"}
	slot := slotV1
	rest, v1 := strings.CutPrefix(rest, "v1:")
	if !v1 {
		var v2 bool
		if rest, v2 = strings.CutPrefix(rest, "v2:"); !v2 {
			return chunks{}, bad
		}
		if slot, rest, _ = strings.Cut(rest, ":"); slot != "a" && slot != "b" {
			return chunks{}, bad
		}
	}
	count, sum, _ := strings.Cut(rest, ":")
	n, err := strconv.Atoi(count)
	if err != nil || n < 1 || len(sum) != sha256.Size*2 {
		return chunks{}, bad
	}
	return chunks{slot: slot, n: n, sum: sum}, nil
}

// split cuts v into pieces of at most size bytes, not inside a UTF-8
// sequence when it can avoid it, so that every item is readable text in
// tools like Seahorse or secret-tool.
func split(v string, size int) []string {
	var parts []string
	for len(v) > size {
		cut := size
		for cut > 0 && !utf8.RuneStart(v[cut]) {
			cut--
		}
		if cut == 0 {
			cut = size
		}
		parts = append(parts, v[:cut])
		v = v[cut:]
	}
	return append(parts, v)
}

// getValue reads an item and, if it is a head, its pieces. A damaged value
// is read a second time before giving up, because the usual cause is a
// writer in another process replacing it at that moment (the second read
// then finds its new head).
func (s *Store) getValue(ctx context.Context, item string) (string, error) {
	var err error
	for range 2 {
		var v string
		v, err = s.getOnce(ctx, item)
		var damaged *damagedError
		if !errors.As(err, &damaged) {
			return v, err
		}
	}
	return "", err
}

func (s *Store) getOnce(ctx context.Context, item string) (string, error) {
	head, err := s.get(ctx, item)
	if err != nil {
		return "", err
	}
	c, err := parseHead(item, head)
	if err != nil {
		return "", err
	}
	if c.n == 0 {
		return head, nil
	}
	var b strings.Builder
	for i := 1; i <= c.n; i++ {
		part, err := s.get(ctx, chunkItem(item, c.slot, i))
		if errors.Is(err, auth.ErrNotFound) {
			return "", &damagedError{item: item, detail: fmt.Sprintf("chunk %d of %d is missing", i, c.n)}
		}
		if err != nil {
			return "", err
		}
		b.WriteString(part)
	}
	v := b.String()
	if got := sha256.Sum256([]byte(v)); hex.EncodeToString(got[:]) != c.sum {
		return "", &damagedError{item: item, detail: "its chunks do not match their checksum"}
	}
	return v, nil
}

// putValue writes value to item, chunked if needed (see the order above).
func (s *Store) putValue(ctx context.Context, item, value string) error {
	unlock, err := s.lock(ctx, s.writeLock)
	if err != nil {
		return err
	}
	defer unlock()

	old, _, err := s.current(ctx, item)
	if err != nil {
		return err
	}
	head := value
	if len(value) > s.chunk || strings.HasPrefix(value, chunkPrefix) {
		slot := "a"
		if old.n > 0 && old.slot == "a" {
			slot = "b"
		}
		parts := split(value, s.chunk)
		for i, p := range parts {
			if err := s.set(ctx, chunkItem(item, slot, i+1), p); err != nil {
				return err
			}
		}
		// Before the switch, or removing this slot by count later would
		// leave a gap that no look finds.
		if err := s.clearSlot(ctx, item, slot, len(parts)+1); err != nil {
			return err
		}
		head = makeHead(slot, len(parts), value)
	}
	if err := s.set(ctx, item, head); err != nil {
		return err
	}
	return s.removeChunks(ctx, item, old)
}

// deleteValue removes item and its pieces; ErrNotFound if item is absent.
func (s *Store) deleteValue(ctx context.Context, item string) error {
	unlock, err := s.lock(ctx, s.writeLock)
	if err != nil {
		return err
	}
	defer unlock()

	old, found, err := s.current(ctx, item)
	if err != nil {
		return err
	}
	if found {
		if err := s.del(ctx, item); errors.Is(err, auth.ErrNotFound) {
			found = false
		} else if err != nil {
			return err
		}
	}
	if err := s.removeChunks(ctx, item, old); err != nil {
		return err
	}
	// No later write will visit the other slots, so leftovers of killed
	// writes (or of earlier versions, slotV1) would stay for good, and
	// removing a profile or signing out must not keep pieces of its secrets.
	for _, slot := range []string{"a", "b", slotV1} {
		if old.n > 0 && slot == old.slot {
			continue
		}
		if err := s.clearSlot(ctx, item, slot, 1); err != nil {
			return err
		}
	}
	if !found {
		return auth.ErrNotFound
	}
	return nil
}

// current returns the pieces item's head names; found is false when item
// is absent. A damaged head names none: its pieces cannot be told apart
// from leftovers, and writing a new value is how it gets repaired.
func (s *Store) current(ctx context.Context, item string) (c chunks, found bool, err error) {
	head, err := s.get(ctx, item)
	if errors.Is(err, auth.ErrNotFound) {
		return chunks{}, false, nil
	}
	if err != nil {
		return chunks{}, false, err
	}
	c, _ = parseHead(item, head)
	return c, true, nil
}

// removeChunks removes the pieces an old head named, now that none does.
func (s *Store) removeChunks(ctx context.Context, item string, c chunks) error {
	if c.n == 0 {
		return nil
	}
	if c.slot == slotV1 {
		// Earlier versions, killed while rewriting in place, could leave
		// more pieces than their head names.
		if err := s.clearSlot(ctx, item, slotV1, c.n+1); err != nil {
			return err
		}
	}
	return s.deleteDown(ctx, item, c.slot, 1, c.n)
}

// clearSlot removes the pieces from, from+1, ... of slot that an
// interrupted write or removal left. Usually there are none and this costs
// one read. They are found by reading rather than deleting upwards so that
// they can be deleted downwards: killed half way, this leaves #1..#j again,
// which the next look still finds.
func (s *Store) clearSlot(ctx context.Context, item, slot string, from int) error {
	last := from - 1
	for ; ; last++ {
		_, err := s.get(ctx, chunkItem(item, slot, last+1))
		if errors.Is(err, auth.ErrNotFound) {
			break
		}
		if err != nil {
			return err
		}
	}
	return s.deleteDown(ctx, item, slot, from, last)
}

// deleteDown deletes pieces last, last-1, ... from of slot, downwards so
// that what an interruption leaves has no gap (see above).
func (s *Store) deleteDown(ctx context.Context, item, slot string, from, last int) error {
	for i := last; i >= from; i-- {
		if err := s.del(ctx, chunkItem(item, slot, i)); err != nil && !errors.Is(err, auth.ErrNotFound) {
			return err
		}
	}
	return nil
}
