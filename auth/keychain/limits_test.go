package keychain

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/tokentray/tokentray/auth"
	"github.com/zalando/go-keyring"
)

// limitedBackend is crashBackend (never dying) enforcing what go-keyring
// enforces on Windows (a credential blob of at most 2560 bytes, a service
// name under 512) and, roughly, on macOS (the whole `security
// add-generic-password` line under 4096 bytes).
type limitedBackend struct {
	*crashBackend
	max int // largest item set
}

func newLimitedBackend() *limitedBackend { return &limitedBackend{crashBackend: newCrashBackend()} }

func (b *limitedBackend) set(service, user, value string) error {
	if len(value) > 2560 || len(service) >= 512 {
		return keyring.ErrSetDataTooBig // Windows
	}
	if len("add-generic-password -U -s '' -a '' -w ''\n")+len(service)+len(user)+len(value) > 4096 {
		return keyring.ErrSetDataTooBig // macOS
	}
	b.max = max(b.max, len(value))
	return b.crashBackend.set(service, user, value)
}

// On Windows and macOS values are split into chunks that always fit the
// platform's item limit, whatever the value (large JWTs, multibyte text)
// and whatever chunk size is asked for.
func TestChunksFitWindowsAndMacOSLimits(t *testing.T) {
	ctx := context.Background()
	// DefaultChunkSize is what Windows and macOS get; a larger one asked
	// for is capped.
	for _, chunk := range []int{DefaultChunkSize, 5000} {
		be := newLimitedBackend()
		s := New("tokentray", withBackend(be), WithChunkSize(chunk))
		for _, v := range []string{
			strings.Repeat("a", 2560), strings.Repeat("b", 2561), strings.Repeat("eyJhbGciOiJSUzI1NiJ9.", 3000),
			strings.Repeat("€", 5000), // 15 kB of 3-byte runes
		} {
			require.NoError(t, s.SaveSecret(ctx, "dev", auth.SecretTokenCache, v), "chunk size %d, %d bytes", chunk, len(v))
			got, err := s.LoadSecret(ctx, "dev", auth.SecretTokenCache)
			require.NoError(t, err)
			require.Equal(t, v, got)
		}
		require.LessOrEqual(t, be.max, 2560)
	}
	// And the limit is real: one item over it is refused, with advice.
	be := newLimitedBackend()
	err := be.set("tokentray", "token:dev", strings.Repeat("x", 2561))
	require.ErrorIs(t, err, keyring.ErrSetDataTooBig)
	require.ErrorContains(t, mapError(err), "lower the chunk size")
}
