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
//	tokentray-chunked:v1:N:SHA256
//
// and ITEM#1 ... ITEM#N hold the pieces. The checksum lets a reader notice a
// value that another process rewrote while it was reading (chunks are not
// written atomically with their head) instead of returning a mix.
//
// Write order: chunks first, head last, then the chunks a longer previous
// value left behind. A reader therefore never finds a head pointing at
// chunks that were not written yet, and a shorter rewrite leaves no stale
// pieces. Delete order is the reverse: head first, then the chunks.
//
// A small value that happens to start with the head prefix is stored chunked
// (as one chunk) so that it can never be mistaken for a head.
const chunkPrefix = "tokentray-chunked:v1:"

func chunkItem(item string, i int) string { return item + "#" + strconv.Itoa(i) }

// damagedError is a chunked value that cannot be put back together.
type damagedError struct {
	item   string
	detail string
}

func (e *damagedError) Error() string {
	return fmt.Sprintf("keychain item %q is damaged: %s", e.item, e.detail)
}

func makeHead(n int, value string) string {
	sum := sha256.Sum256([]byte(value))
	return chunkPrefix + strconv.Itoa(n) + ":" + hex.EncodeToString(sum[:])
}

// parseHead returns the chunk count and checksum of a head; ok is false for
// a plain value.
func parseHead(item, v string) (n int, sum string, ok bool, err error) {
	rest, ok := strings.CutPrefix(v, chunkPrefix)
	if !ok {
		return 0, "", false, nil
	}
	count, sum, _ := strings.Cut(rest, ":")
	n, err = strconv.Atoi(count)
	if err != nil || n < 1 || len(sum) != sha256.Size*2 {
		return 0, "", true, &damagedError{item: item, detail: "unreadable chunk header"}
	}
	return n, sum, true, nil
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

// getValue reads an item and, if it is a head, its chunks. A damaged value
// is read a second time before giving up, because the usual cause is a
// writer in another process replacing it at that moment.
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
	n, sum, chunked, err := parseHead(item, head)
	if err != nil || !chunked {
		return head, err
	}
	var b strings.Builder
	for i := 1; i <= n; i++ {
		part, err := s.get(ctx, chunkItem(item, i))
		if errors.Is(err, auth.ErrNotFound) {
			return "", &damagedError{item: item, detail: fmt.Sprintf("chunk %d of %d is missing", i, n)}
		}
		if err != nil {
			return "", err
		}
		b.WriteString(part)
	}
	v := b.String()
	if got := sha256.Sum256([]byte(v)); hex.EncodeToString(got[:]) != sum {
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

	old, err := s.chunkCount(ctx, item)
	if err != nil {
		return err
	}
	var parts []string
	if len(value) > s.chunk || strings.HasPrefix(value, chunkPrefix) {
		parts = split(value, s.chunk)
	}
	for i, p := range parts {
		if err := s.set(ctx, chunkItem(item, i+1), p); err != nil {
			return err
		}
	}
	head := value
	if parts != nil {
		head = makeHead(len(parts), value)
	}
	if err := s.set(ctx, item, head); err != nil {
		return err
	}
	return s.deleteChunks(ctx, item, len(parts)+1, old)
}

// deleteValue removes item and its chunks; ErrNotFound if item is absent.
func (s *Store) deleteValue(ctx context.Context, item string) error {
	unlock, err := s.lock(ctx, s.writeLock)
	if err != nil {
		return err
	}
	defer unlock()

	n, err := s.chunkCount(ctx, item)
	if err != nil {
		return err
	}
	if err := s.del(ctx, item); err != nil {
		if errors.Is(err, auth.ErrNotFound) {
			// Chunks without a head are what an interrupted first write
			// leaves; remove them too, the item still counts as absent.
			if err := s.deleteChunks(ctx, item, 1, 0); err != nil {
				return err
			}
			return auth.ErrNotFound
		}
		return err
	}
	return s.deleteChunks(ctx, item, 1, n)
}

// chunkCount is the number of chunks item's current head names: 0 for a
// plain, absent or damaged value.
func (s *Store) chunkCount(ctx context.Context, item string) (int, error) {
	head, err := s.get(ctx, item)
	if errors.Is(err, auth.ErrNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	n, _, _, _ := parseHead(item, head)
	return n, nil
}

// deleteChunks removes chunks from, from+1, ... up to at least last and then
// on until one is missing: chunks beyond last are what a write that was
// interrupted before its head left behind.
func (s *Store) deleteChunks(ctx context.Context, item string, from, last int) error {
	for i := from; ; i++ {
		err := s.del(ctx, chunkItem(item, i))
		if errors.Is(err, auth.ErrNotFound) {
			if i >= last {
				return nil
			}
			continue
		}
		if err != nil {
			return err
		}
	}
}
