package keychain

import (
	"errors"
	"fmt"
	"slices"
	"sync"

	"github.com/godbus/dbus/v5"
	"github.com/zalando/go-keyring"
	ss "github.com/zalando/go-keyring/secret_service"
)

// defaultBackend on Linux talks to the Secret Service itself, through
// go-keyring's D-Bus client: go-keyring's own Get opens and closes a
// session, looks up the login collection and unlocks it on every call —
// seven round trips to read one item. A command-line call reads one or two
// items, so here the session and the collection are set up once per
// process, and a read is two round trips: a search of the collection and
// the secret. Items are the ones go-keyring writes (same attributes, same
// collection — login, or the default alias — same label), so either reads
// the other's, and reads and writes always meet in the same collection.
func defaultBackend() backend { return &secretService{} }

// The Secret Service has no small size limit (gnome-keyring and KeePassXC
// take megabytes), so values are not split: one item, one write.
const platformChunkSize = 1 << 20

const (
	ssCollection = "org.freedesktop.Secret.Collection"
)

type secretService struct {
	mu         sync.Mutex
	svc        *ss.SecretService
	session    dbus.ObjectPath
	collection dbus.BusObject
}

// open connects, opens a plain session (the bus is local; the secret
// travels over the session bus socket, as with go-keyring) and finds the
// collection go-keyring uses.
func (b *secretService) open() error {
	if b.svc != nil {
		return nil
	}
	svc, err := ss.NewSecretService()
	if err != nil {
		return err
	}
	session, err := svc.OpenSession()
	if err != nil {
		return err
	}
	b.svc, b.session, b.collection = svc, session.Path(), svc.GetLoginCollection()
	return nil
}

// unlock unlocks the collection, which may show the desktop's unlock
// prompt (go-keyring waits for it; Store bounds the wait).
func (b *secretService) unlock() error { return b.svc.Unlock(b.collection.Path()) }

// find returns the item of (service, user). A locked collection may hide
// its items from a search (KeePassXC does), so a search that finds nothing
// checks whether the collection is locked, and unlocks it and searches
// again if so: a miss costs one round trip more, a hit none.
func (b *secretService) find(service, user string) (dbus.ObjectPath, error) {
	attrs := map[string]string{"service": service, "username": user}
	found, err := b.svc.SearchItems(b.collection, attrs)
	if err != nil {
		return "", err
	}
	if len(found) == 0 {
		locked, err := b.collection.GetProperty(ssCollection + ".Locked")
		if err != nil {
			return "", err
		}
		if l, _ := locked.Value().(bool); !l {
			return "", keyring.ErrNotFound
		}
		if err := b.unlock(); err != nil {
			return "", err
		}
		if found, err = b.svc.SearchItems(b.collection, attrs); err != nil {
			return "", err
		}
		if len(found) == 0 {
			return "", keyring.ErrNotFound
		}
	}
	return found[0], nil
}

// retry runs f, and once more with a fresh connection when the daemon has
// forgotten this process's session or objects (it was restarted) or the
// collection was locked meanwhile: every call here may be repeated
// (a read, a replacing write, a delete of what is found).
func (b *secretService) retry(f func() error) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	err := b.attempt(f)
	if err == nil || errors.Is(err, keyring.ErrNotFound) {
		return err
	}
	b.svc = nil
	if !stale(err) {
		return err
	}
	err = b.attempt(f)
	if err != nil && !errors.Is(err, keyring.ErrNotFound) {
		b.svc = nil
	}
	return err
}

func (b *secretService) attempt(f func() error) error {
	if err := b.open(); err != nil {
		return err
	}
	err := f()
	var de dbus.Error
	if errors.As(err, &de) && de.Name == "org.freedesktop.Secret.Error.IsLocked" {
		if err := b.unlock(); err != nil {
			return err
		}
		return f()
	}
	return err
}

// stale recognises a daemon that no longer knows what this process set up.
func stale(err error) bool {
	var de dbus.Error
	return errors.As(err, &de) && slices.Contains([]string{
		"org.freedesktop.Secret.Error.NoSession", "org.freedesktop.Secret.Error.NoSuchObject",
		"org.freedesktop.DBus.Error.UnknownObject", "org.freedesktop.DBus.Error.UnknownMethod",
		// The daemon went away mid-call ("disconnected from message bus
		// without replying"): a restarted one may answer the retry.
		"org.freedesktop.DBus.Error.NoReply",
	}, de.Name)
}

func (b *secretService) get(service, user string) (string, error) {
	var v string
	err := b.retry(func() error {
		item, err := b.find(service, user)
		if err != nil {
			return err
		}
		secret, err := b.svc.GetSecret(item, b.session)
		if err != nil {
			return err
		}
		v = string(secret.Value)
		return nil
	})
	return v, err
}

func (b *secretService) set(service, user, value string) error {
	return b.retry(func() error {
		attrs := map[string]string{"service": service, "username": user}
		return b.svc.CreateItem(b.collection, fmt.Sprintf("Password for '%s' on '%s'", user, service), attrs, ss.NewSecret(b.session, value))
	})
}

func (b *secretService) delete(service, user string) error {
	return b.retry(func() error {
		item, err := b.find(service, user)
		if err != nil {
			return err
		}
		return b.svc.Delete(item)
	})
}
