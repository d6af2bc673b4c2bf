package auth

import (
	"context"
	"errors"
	"fmt"

	"github.com/coreos/go-oidc/v3/oidc"
)

// VerifyIDToken checks an ID token's signature against the issuer's keys
// (with the algorithms it announces), its issuer, audience (the client ID)
// and expiry, and, when nonce is not empty, its nonce.
func (e *Engine) VerifyIDToken(ctx context.Context, p Profile, raw, nonce string) error {
	ep, err := e.Endpoints(ctx, p)
	if err != nil {
		return err
	}
	if ep.JWKSURL == "" || ep.Issuer == "" {
		return errors.New("cannot verify the ID token: the issuer publishes no keys")
	}
	client, err := e.httpClient(p)
	if err != nil {
		return err
	}
	cctx := oidc.ClientContext(ctx, client)
	v := oidc.NewVerifier(ep.Issuer, e.keySet(ctx, client, ep.JWKSURL, p.CAFile), &oidc.Config{ClientID: p.ClientID, Now: e.now, SupportedSigningAlgs: ep.IDTokenAlgs})
	idt, err := v.Verify(cctx, raw)
	if err != nil {
		return fmt.Errorf("the ID token failed verification: %w", err)
	}
	if nonce != "" && idt.Nonce != nonce {
		return errors.New("the ID token failed verification: its nonce does not match this sign-in")
	}
	return nil
}
