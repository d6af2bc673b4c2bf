package auth

import (
	"context"
	"time"
)

// SecretKind names one of the secret values kept per profile next to its record.
type SecretKind string

const (
	// SecretSession is the profile's session: its refresh token and the
	// last access/ID token set, as one JSON value, so that a refresh — a
	// rotated refresh token and the new access token — is one atomic
	// keychain write.
	SecretSession SecretKind = "session"
	// SecretRefreshToken and SecretTokenCache are where tokentray before
	// the session item kept the refresh token and the token set. They are
	// still read when a profile has no session item, and removed by the
	// first write of one.
	SecretRefreshToken SecretKind = "refresh"
	SecretTokenCache   SecretKind = "token"
)

// Store persists profiles, an index of their names and each profile's
// secrets. Implementations must be safe for concurrent use by multiple
// goroutines and must bound every call in time: a Store call never blocks
// past its own timeout or ctx, whichever comes first. Cross-process
// consistency of refreshes is the Engine's job (see Locker), not the Store's.
//
// Errors wrap ErrNotFound for a missing record or secret, and
// ErrKeychainLocked, ErrKeychainUnavailable or ErrKeychainTimeout when the
// backing keychain cannot be used.
type Store interface {
	// ListProfiles returns the indexed profile names, sorted.
	ListProfiles(ctx context.Context) ([]string, error)
	// LoadProfile returns the record of an indexed profile. A name that is
	// indexed but whose record is gone yields an error wrapping ErrBrokenProfile.
	LoadProfile(ctx context.Context, name string) (Profile, error)
	// SaveProfile writes the record and adds the name to the index.
	SaveProfile(ctx context.Context, p Profile) error
	// DeleteProfile removes the record, every secret of the profile and the
	// index entry. Deleting a broken profile works; deleting an unknown one
	// returns ErrNotFound.
	DeleteProfile(ctx context.Context, name string) error

	// LoadSecret returns one secret of a profile or an error wrapping ErrNotFound.
	LoadSecret(ctx context.Context, name string, kind SecretKind) (string, error)
	// SaveSecret writes one secret of a profile, replacing the old value.
	SaveSecret(ctx context.Context, name string, kind SecretKind, value string) error
	// DeleteSecret removes one secret; a missing secret is not an error.
	DeleteSecret(ctx context.Context, name string, kind SecretKind) error

	// Settle waits until every call the Store gave up on has returned, or
	// ctx ends. A keychain call cannot always be cancelled (go-keyring has
	// no context): one that outlived its timeout may still land, and the
	// Engine keeps the profile's lock until it has, so that no other process
	// reads a refresh token that is about to be replaced.
	Settle(ctx context.Context) error
}

// Locker serialises refreshes of one profile across processes: the tray app
// and any number of CLI invocations may ask for the same profile at once, and
// under refresh-token rotation with reuse detection a second refresh with an
// already-used token revokes the user's whole session.
//
// Lock blocks until the lock is held or ctx is done; the returned function
// releases it. Implementations must be safe for concurrent use.
//
// LockIndex serialises changes to the list of profiles (adding, removing)
// the same way: the list is one keychain item that every change rewrites,
// and two processes rewriting it at once lose one's update.
type Locker interface {
	Lock(ctx context.Context, name string) (unlock func(), err error)
	LockIndex(ctx context.Context) (unlock func(), err error)
}

// Journal remembers, outside the keychain, which refresh token of a profile
// the issuer has replaced. The Engine marks a refresh token spent as soon as
// the issuer's answer carries a new one, before the keychain write: if that
// write never lands (the keychain stalls, the process is killed), the stored
// token is known to be spent and is never sent again — under rotation with
// reuse detection, sending it would revoke the user's whole session. A
// Journal holds no secret (FileLocker keeps a SHA-256 of the token) and
// must be shared by every process of the user, as the Locker is.
type Journal interface {
	MarkSpent(name, refreshToken string) error
	Spent(name, refreshToken string) (bool, error)
}

// Clock tells the time; tests substitute a fixed one.
type Clock func() time.Time
