// Package auth is tokentray's OAuth 2.0 / OpenID Connect core: profiles,
// tokens, decoded claims, typed errors, the refresh-token exchange and the
// Engine that answers "give me a valid access token for profile P".
//
// It knows nothing about where profiles are kept or how they are shown: it
// declares the small interfaces it needs (Store, Locker) and main.go picks the
// implementations (auth/keychain for the OS keychain, a file lock for
// cross-process exclusion).
package auth
