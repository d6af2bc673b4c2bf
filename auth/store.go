package auth

import (
	"context"
	"time"
)

// SecretKind names one of the secret values kept per profile next to its record.
type SecretKind string

const (
	// SecretRefreshToken is the profile's refresh token, as issued.
	SecretRefreshToken SecretKind = "refresh"
	// SecretTokenCache is the JSON of the last access/ID token set (see CachedToken).
	SecretTokenCache SecretKind = "token"
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
}

// Locker serialises refreshes of one profile across processes: the tray app
// and any number of CLI invocations may ask for the same profile at once, and
// under refresh-token rotation with reuse detection a second refresh with an
// already-used token revokes the user's whole session.
//
// Lock blocks until the lock is held or ctx is done; the returned function
// releases it. Implementations must be safe for concurrent use.
type Locker interface {
	Lock(ctx context.Context, name string) (unlock func(), err error)
}

// Clock tells the time; tests substitute a fixed one.
type Clock func() time.Time
