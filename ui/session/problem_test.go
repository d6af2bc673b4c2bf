package session_test

import (
	"context"
	"crypto/x509"
	"fmt"
	"regexp"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/tokentray/tokentray/auth"
	"github.com/tokentray/tokentray/auth/authtest"
	"github.com/tokentray/tokentray/ui/session"
)

// cliAdvice matches what only a terminal user can act on: a flag or a
// tokentray command line.
var cliAdvice = regexp.MustCompile("--[a-z]|`tokentray |tokentray (login|logout|token|profile|inspect) ")

// The engine's errors whose CLI wording names a flag or a command are
// worded for the window without them.
func TestProblemNamesNoCLIFlags(t *testing.T) {
	ctx := context.Background()
	e := auth.NewEngine(authtest.NewStore(), authtest.NopLocker{})
	p := auth.Profile{Name: "dev", Domain: "acme.example.com", ClientID: "c", AuthMethod: auth.AuthNone}
	_, err := e.AddProfile(ctx, p)
	require.NoError(t, err)
	_, exists := e.AddProfile(ctx, p)
	require.ErrorIs(t, exists, auth.ErrExists)
	p.AuthMethod = auth.AuthPost
	_, noSecret := e.UpdateProfile(ctx, p)
	require.ErrorAs(t, noSecret, new(*auth.MissingSecretError))
	untrusted := fmt.Errorf("refresh dev: https://acme.example.com/oauth/token: %w", &auth.CertificateError{Cause: x509.UnknownAuthorityError{}})

	for _, err := range []error{exists, noSecret, untrusted} {
		t.Run(err.Error(), func(t *testing.T) {
			require.NotRegexp(t, cliAdvice, session.Problem(err))
			require.NotRegexp(t, cliAdvice, session.Brief(err))
		})
	}
	require.Equal(t, "The issuer's TLS certificate is not trusted (x509: certificate signed by unknown authority): give the issuer's CA certificate as the profile's CA file in the editor. Verification is never turned off.",
		session.Problem(untrusted))
	require.Equal(t, "TLS certificate not trusted: set a CA file", session.Brief(untrusted))
}
