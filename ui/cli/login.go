package cli

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"
	"github.com/tokentray/tokentray/auth"
	"github.com/tokentray/tokentray/ui/text"
)

// loginCmd is `tokentray login`: a browser, device-code or pasted sign-in.
func (a *App) loginCmd() *cobra.Command {
	var fromStdin, device bool
	var port int
	var timeout time.Duration
	c := &cobra.Command{
		Use:   "login NAME [--device | --refresh-token-stdin]",
		Short: "Sign in: in the browser (default), with a device code, or by storing a refresh token you have",
		Long: `Sign in to the profile's issuer and store the tokens in the keychain.

By default a browser opens for the Authorization Code flow with PKCE; the issuer
redirects back to http://127.0.0.1:PORT/callback (any free port, or the profile's
--callback-port for issuers that match callback URLs exactly). $BROWSER is honoured.
--device prints a code to enter on another device (RFC 8628).
--refresh-token-stdin stores a refresh token you already have, read from stdin.`,
		Example: `  tokentray login dev
  tokentray login dev --device
  tokentray login dev --refresh-token-stdin < refresh-token.txt`,
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: a.completeProfiles,
		RunE: func(c *cobra.Command, args []string) error {
			name := args[0]
			if fromStdin && device {
				return usagef("give either --device or --refresh-token-stdin")
			}
			if fromStdin {
				rt, err := a.readSecret("refresh token")
				if err != nil {
					return err
				}
				if err := a.Engine.SetRefreshToken(c.Context(), name, rt); err != nil {
					return loginHint(err, name)
				}
				fmt.Fprintf(a.Stderr, "Stored the refresh token for %s. Get an access token: tokentray token %s\n", name, name)
				return nil
			}
			if c.Flags().Changed("callback-port") {
				p, err := a.Engine.Profile(c.Context(), name)
				if err != nil {
					return err
				}
				p.CallbackPort = port
				if _, err := a.Engine.UpdateProfile(c.Context(), p); err != nil {
					return err
				}
			}
			ctx, cancel := context.WithTimeout(c.Context(), timeout)
			defer cancel()
			var (
				t   auth.Token
				err error
			)
			if device {
				t, err = a.Engine.LoginDevice(ctx, name, func(d auth.DeviceCode) {
					fmt.Fprintf(a.Stderr, "To sign in %s, open %s and enter the code:\n\n    %s\n\n", name, d.VerificationURI, d.UserCode)
					if d.VerificationURIComplete != "" {
						fmt.Fprintf(a.Stderr, "Or open %s\n", d.VerificationURIComplete)
					}
					fmt.Fprintf(a.Stderr, "Waiting for approval (for %s at most)...\n", text.Duration(time.Until(d.ExpiresAt)))
				})
			} else {
				t, err = a.Engine.LoginBrowser(ctx, name, func(u string) error {
					fmt.Fprintf(a.Stderr, "Opening the browser to sign in %s. If it does not open, visit:\n\n    %s\n\n", name, u)
					if a.OpenBrowser == nil {
						return nil
					}
					if err := a.OpenBrowser(u); err != nil {
						fmt.Fprintf(a.Stderr, "Could not start a browser (%v): open the address above yourself.\n", err)
					}
					return nil
				})
			}
			if err != nil {
				return loginHint(err, name)
			}
			verified := ""
			if t.IDTokenVerified {
				verified = "; ID token signature verified"
			}
			fmt.Fprintf(a.Stderr, "Signed in %s%s%s. Get an access token: tokentray token %s\n", name, validFor(t, a.Engine.Now()), verified, name)
			return nil
		},
	}
	c.Flags().BoolVar(&fromStdin, "refresh-token-stdin", false, "store a refresh token read from stdin (hidden prompt on a terminal)")
	c.Flags().BoolVar(&device, "device", false, "sign in with a device code (RFC 8628) instead of a browser on this machine")
	c.Flags().IntVar(&port, "callback-port", 0, "save this fixed callback port in the profile (0: any free port)")
	c.Flags().DurationVar(&timeout, "timeout", auth.DefaultLoginTimeout, "give up a browser or device sign-in after this long")
	return c
}
