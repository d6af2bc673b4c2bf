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
	ssService      = "org.freedesktop.secrets"
	ssCollection   = "org.freedesktop.Secret.Collection"
	ssDefaultAlias = "/org/freedesktop/secrets/aliases/default"
)

type secretService struct {
	mu         sync.Mutex
	svc        *ss.SecretService
	session    dbus.ObjectPath
	collection dbus.BusObject
}

// open connects, opens a plain session (the bus is local; the secret
// travels over the session bus socket, as with go-keyring) and finds the
// collection go-keyring uses: login when there is one, else the default
// alias. go-keyring asks the service for its list of collections to decide;
// here the first search is sent to the login collection together with
// OpenSession instead (neither waits for the other), and only a search that
// fails there — no login collection, as with KeePassXC — falls back to the
// alias. A first read is then two round trips after connecting, not four.
// found is that first search's result; searched says whether it counts.
func (b *secretService) open(attrs map[string]string) (found []dbus.ObjectPath, searched bool, err error) {
	if b.svc != nil {
		return nil, false, nil
	}
	svc, err := ss.NewSecretService()
	if err != nil {
		return nil, false, err
	}
	login := svc.GetCollection("login")
	search := login.Go(ssCollection+".SearchItems", 0, nil, attrs)
	session, err := svc.OpenSession()
	<-search.Done
	if err != nil {
		return nil, false, err
	}
	b.svc, b.session, b.collection = svc, session.Path(), login
	if search.Err != nil {
		b.collection = svc.Object(ssService, ssDefaultAlias)
		return nil, false, nil
	}
	if err := search.Store(&found); err != nil {
		return nil, false, err
	}
	return found, true, nil
}

// unlock unlocks the collection, which may show the desktop's unlock
// prompt (go-keyring waits for it; Store bounds the wait).
func (b *secretService) unlock() error { return b.svc.Unlock(b.collection.Path()) }

// find returns the item of attrs. A locked collection may hide
// its items from a search (KeePassXC does), so a search that finds nothing
// checks whether the collection is locked, and unlocks it and searches
// again if so: a miss costs one round trip more, a hit none.
//
// The first call of a process has its search answered already by open.
func (b *secretService) find(attrs map[string]string, found []dbus.ObjectPath, searched bool) (dbus.ObjectPath, error) {
	if !searched {
		var err error
		if found, err = b.svc.SearchItems(b.collection, attrs); err != nil {
			return "", err
		}
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
func (b *secretService) retry(attrs map[string]string, f op) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	err := b.attempt(attrs, f)
	if err == nil || errors.Is(err, keyring.ErrNotFound) {
		return err
	}
	b.svc = nil
	if !stale(err) {
		return err
	}
	err = b.attempt(attrs, f)
	if err != nil && !errors.Is(err, keyring.ErrNotFound) {
		b.svc = nil
	}
	return err
}

// op is one call on the service about the item of attrs; found and
// searched carry open's first search (see find).
type op func(found []dbus.ObjectPath, searched bool) error

func (b *secretService) attempt(attrs map[string]string, f op) error {
	found, searched, err := b.open(attrs)
	if err != nil {
		return err
	}
	err = f(found, searched)
	var de dbus.Error
	if errors.As(err, &de) && de.Name == "org.freedesktop.Secret.Error.IsLocked" {
		if err := b.unlock(); err != nil {
			return err
		}
		return f(nil, false)
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

func attributes(service, user string) map[string]string {
	return map[string]string{"service": service, "username": user}
}

func (b *secretService) get(service, user string) (string, error) {
	var v string
	attrs := attributes(service, user)
	err := b.retry(attrs, func(found []dbus.ObjectPath, searched bool) error {
		item, err := b.find(attrs, found, searched)
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
	attrs := attributes(service, user)
	return b.retry(attrs, func([]dbus.ObjectPath, bool) error {
		return b.svc.CreateItem(b.collection, fmt.Sprintf("Password for '%s' on '%s'", user, service), attrs, ss.NewSecret(b.session, value))
	})
}

func (b *secretService) delete(service, user string) error {
	attrs := attributes(service, user)
	return b.retry(attrs, func(found []dbus.ObjectPath, searched bool) error {
		item, err := b.find(attrs, found, searched)
		if err != nil {
			return err
		}
		return b.svc.Delete(item)
	})
}
