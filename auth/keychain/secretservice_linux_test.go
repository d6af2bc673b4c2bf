package keychain

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/tokentray/tokentray/auth"
	"github.com/zalando/go-keyring"
)

// The Linux backend reads and writes the very items go-keyring does (same
// attributes, same collection), so keychains written by earlier versions
// keep working and other tools see the same thing.
func TestSecretServiceBackendSharesItemsWithGoKeyring(t *testing.T) {
	ctx := context.Background()
	s, svc := newStore(t)
	require.IsType(t, &secretService{}, s.be)

	require.NoError(t, keyring.Set(svc, "refresh:old", "written-by-go-keyring"))
	got, err := s.LoadSecret(ctx, "old", auth.SecretRefreshToken)
	require.NoError(t, err)
	require.Equal(t, "written-by-go-keyring", got)

	require.NoError(t, s.SaveSecret(ctx, "new", auth.SecretRefreshToken, "written-by-tokentray"))
	got, err = keyring.Get(svc, "refresh:new")
	require.NoError(t, err)
	require.Equal(t, "written-by-tokentray", got)
	require.Equal(t, "written-by-tokentray", lookup(t, svc, "refresh:new"), "secret-tool sees it too")

	// A rewrite replaces the item rather than adding a second one.
	require.NoError(t, s.SaveSecret(ctx, "new", auth.SecretRefreshToken, "rotated"))
	require.Equal(t, []string{"refresh:new", "refresh:old"}, items(t, svc))
	require.NoError(t, s.DeleteSecret(ctx, "new", auth.SecretRefreshToken))
	_, err = keyring.Get(svc, "refresh:new")
	require.ErrorIs(t, err, keyring.ErrNotFound)
}

// The Secret Service has no small size limit: a large token set is one
// item, one write, where Windows and macOS need chunks.
func TestSecretServiceStoresLargeValuesWhole(t *testing.T) {
	ctx := context.Background()
	s, svc := newStore(t)
	big := strings.Repeat("eyJhbGciOiJSUzI1NiJ9.", 500) // 10.5 kB
	require.NoError(t, s.SaveSecret(ctx, "dev", auth.SecretTokenCache, big))
	require.Equal(t, []string{"token:dev"}, items(t, svc))
	require.Equal(t, big, lookup(t, svc, "token:dev"))
	got, err := s.LoadSecret(ctx, "dev", auth.SecretTokenCache)
	require.NoError(t, err)
	require.Equal(t, big, got)
}
