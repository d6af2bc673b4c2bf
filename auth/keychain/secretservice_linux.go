package keychain

import (
	"fmt"
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
// process, and a read is two round trips: a search of the whole service
// and the secret. Items are the ones go-keyring writes (same attributes,
// same login collection, same label), so either reads the other's.
func defaultBackend() backend { return &secretService{} }

// The Secret Service has no small size limit (gnome-keyring and KeePassXC
// take megabytes), so values are not split: one item, one write.
const platformChunkSize = 1 << 20

const (
	ssName    = "org.freedesktop.secrets"
	ssPath    = "/org/freedesktop/secrets"
	ssService = "org.freedesktop.Secret.Service"
	ssItem    = "org.freedesktop.Secret.Item"
)

type secretService struct {
	mu         sync.Mutex
	svc        *ss.SecretService
	session    dbus.ObjectPath
	collection dbus.BusObject // where new items go, unlocked once
}

// open connects and opens a plain session (the bus is local; the secret
// travels over the session bus socket, as with go-keyring).
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
	b.svc, b.session = svc, session.Path()
	return nil
}

// reset forgets the connection state after an error, so the next call
// starts afresh (a restarted daemon has forgotten our session).
func (b *secretService) reset() { b.svc, b.collection = nil, nil }

// find returns the item of (service, user), unlocking it when it is in a
// locked collection (which may prompt, as go-keyring does).
func (b *secretService) find(service, user string) (dbus.ObjectPath, error) {
	var unlocked, locked []dbus.ObjectPath
	attrs := map[string]string{"service": service, "username": user}
	if err := b.svc.Object(ssName, ssPath).Call(ssService+".SearchItems", 0, attrs).Store(&unlocked, &locked); err != nil {
		return "", err
	}
	if len(unlocked) > 0 {
		return unlocked[0], nil
	}
	if len(locked) == 0 {
		return "", keyring.ErrNotFound
	}
	if err := b.svc.Unlock(locked[0]); err != nil {
		return "", err
	}
	return locked[0], nil
}

func (b *secretService) get(service, user string) (string, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	v, err := b.getOnce(service, user)
	if err != nil && err != keyring.ErrNotFound {
		b.reset()
	}
	return v, err
}

func (b *secretService) getOnce(service, user string) (string, error) {
	if err := b.open(); err != nil {
		return "", err
	}
	item, err := b.find(service, user)
	if err != nil {
		return "", err
	}
	secret, err := b.svc.GetSecret(item, b.session)
	if err != nil {
		return "", err
	}
	return string(secret.Value), nil
}

func (b *secretService) set(service, user, value string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	err := b.setOnce(service, user, value)
	if err != nil {
		b.reset()
	}
	return err
}

func (b *secretService) setOnce(service, user, value string) error {
	if err := b.open(); err != nil {
		return err
	}
	if b.collection == nil {
		c := b.svc.GetLoginCollection()
		if err := b.svc.Unlock(c.Path()); err != nil {
			return err
		}
		b.collection = c
	}
	attrs := map[string]string{"service": service, "username": user}
	return b.svc.CreateItem(b.collection, fmt.Sprintf("Password for '%s' on '%s'", user, service), attrs, ss.NewSecret(b.session, value))
}

func (b *secretService) delete(service, user string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	err := b.deleteOnce(service, user)
	if err != nil && err != keyring.ErrNotFound {
		b.reset()
	}
	return err
}

func (b *secretService) deleteOnce(service, user string) error {
	if err := b.open(); err != nil {
		return err
	}
	item, err := b.find(service, user)
	if err != nil {
		return err
	}
	return b.svc.Delete(item)
}
