package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	"github.com/tokentray/tokentray/auth"
	"github.com/tokentray/tokentray/ui/text"
)

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
					return err
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
			switch {
			case errors.Is(err, auth.ErrCallbackPortInUse):
				return fmt.Errorf("%w\nChoose another port: tokentray login %s --callback-port PORT", err, name)
			case errors.Is(err, auth.ErrLoginTimeout):
				return fmt.Errorf("%w\nFix the port with: tokentray profile edit %s --callback-port PORT", err, name)
			case err != nil:
				return err
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

func (a *App) logoutCmd() *cobra.Command {
	var local bool
	c := &cobra.Command{
		Use:               "logout NAME",
		Short:             "Revoke the refresh token at the issuer and delete the profile's tokens (the profile stays)",
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: a.completeProfiles,
		RunE: func(c *cobra.Command, args []string) error {
			err := a.Engine.Logout(c.Context(), args[0], local)
			if err != nil && !local && errors.Is(err, auth.ErrRevocation) {
				return fmt.Errorf("%w (remove them anyway with --local)", err)
			}
			if err != nil && !(local && errors.Is(err, auth.ErrRevocation)) {
				return err
			}
			if err != nil {
				fmt.Fprintf(a.Stderr, "Warning: %v\n", err)
			}
			fmt.Fprintf(a.Stderr, "Signed out %s.\n", args[0])
			return nil
		},
	}
	c.Flags().BoolVar(&local, "local", false, "remove the tokens even if the issuer cannot revoke them")
	return c
}

func (a *App) tokenCmd() *cobra.Command {
	var refresh, idToken, header, toClipboard bool
	c := &cobra.Command{
		Use:   "token NAME",
		Short: "Print a valid access token (cached while valid, refreshed otherwise)",
		Example: `  curl -H "Authorization: Bearer $(tokentray token dev)" https://api.example.com/things
  curl -H "$(tokentray token dev --header)" https://api.example.com/things`,
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: a.completeProfiles,
		RunE: func(c *cobra.Command, args []string) error {
			t, err := a.Engine.Token(c.Context(), args[0], refresh)
			if err != nil {
				return withHint(err, args[0])
			}
			what, out := "access token", t.AccessToken
			if idToken {
				if t.IDToken == "" {
					return text.NoIDToken(args[0])
				}
				what, out = "ID token", t.IDToken
			}
			if header {
				out = "Authorization: Bearer " + out
				if !idToken {
					out = "Authorization: " + t.Header()
				}
			}
			if toClipboard {
				if a.Clipboard == nil {
					return errors.New("no clipboard available")
				}
				if err := a.Clipboard.WriteAll(out); err != nil {
					return fmt.Errorf("copy to the clipboard: %w", err)
				}
				fmt.Fprintf(a.Stderr, "Copied the %s for %s to the clipboard%s.\n", what, args[0], validFor(t, a.Engine.Now()))
				return nil
			}
			_, err = fmt.Fprintln(a.Stdout, out)
			return err
		},
	}
	f := c.Flags()
	f.BoolVar(&refresh, "refresh", false, "refresh now even if the cached token is still valid")
	f.BoolVar(&idToken, "id-token", false, "print the ID token instead of the access token")
	f.BoolVar(&header, "header", false, "print a whole Authorization header")
	f.BoolVar(&toClipboard, "copy", false, "copy to the clipboard instead of printing")
	return c
}

func validFor(t auth.Token, now time.Time) string {
	if t.Expiry.IsZero() {
		return ""
	}
	return " (valid " + text.Duration(t.Remaining(now)) + ")"
}

// tokenReport is the JSON shape of one decoded token in `inspect --json`.
type tokenReport struct {
	Kind      auth.TokenKind `json:"kind"`
	Verified  bool           `json:"signature_verified"`
	Header    map[string]any `json:"header,omitempty"`
	Claims    map[string]any `json:"claims,omitempty"`
	Scopes    []string       `json:"scopes,omitempty"`
	Audience  []string       `json:"audience,omitempty"`
	Issuer    string         `json:"issuer,omitempty"`
	Subject   string         `json:"subject,omitempty"`
	ExpiresAt *time.Time     `json:"expires_at,omitempty"`
	ExpiresIn *int64         `json:"expires_in,omitempty"` // seconds from now
	IssuedAt  *time.Time     `json:"issued_at,omitempty"`
}

func (a *App) report(raw string, t auth.Token, access bool) *tokenReport {
	if raw == "" {
		return nil
	}
	d := auth.Decode(raw)
	r := &tokenReport{Kind: d.Kind, Header: d.Header, Claims: d.Claims,
		Scopes: d.Scopes(), Audience: d.Audience(), Issuer: d.Issuer(), Subject: d.Subject()}
	if !access {
		r.Verified = t.IDTokenVerified
	}
	exp := d.Expiry()
	if access {
		// The token endpoint's expires_in is authoritative for an access
		// token, opaque or not; granted scope likewise.
		if !t.Expiry.IsZero() {
			exp = t.Expiry
		}
		if len(r.Scopes) == 0 {
			r.Scopes = t.Scopes()
		}
	}
	if !exp.IsZero() {
		in := int64(exp.Sub(a.Engine.Now()).Seconds())
		r.ExpiresAt, r.ExpiresIn = &exp, &in
	}
	if iat := d.IssuedAt(); !iat.IsZero() {
		r.IssuedAt = &iat
	}
	return r
}

func (a *App) inspectCmd() *cobra.Command {
	var asJSON bool
	c := &cobra.Command{
		Use:               "inspect NAME",
		Short:             "Show a valid token's scopes, audience, expiry, subject and claims (decoded, not verified)",
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: a.completeProfiles,
		RunE: func(c *cobra.Command, args []string) error {
			t, err := a.Engine.Token(c.Context(), args[0], false)
			if err != nil {
				return withHint(err, args[0])
			}
			at, id := a.report(t.AccessToken, t, true), a.report(t.IDToken, t, false)
			if asJSON {
				return writeJSON(a.Stdout, map[string]any{"profile": args[0], "token_type": t.Type(), "granted_scope": t.Scope, "access_token": at, "id_token": id})
			}
			tw := tabwriter.NewWriter(a.Stdout, 0, 4, 2, ' ', 0)
			a.printReport(tw, "access token", at)
			if id != nil {
				fmt.Fprintln(tw)
				a.printReport(tw, "ID token", id)
			}
			return tw.Flush()
		},
	}
	c.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return c
}

func (a *App) printReport(tw *tabwriter.Writer, title string, r *tokenReport) {
	switch r.Kind {
	case auth.KindJWT:
		if r.Verified {
			fmt.Fprintf(tw, "%s\tJWT, signature verified at sign-in\n", title)
		} else {
			fmt.Fprintf(tw, "%s\tJWT, decoded WITHOUT verifying the signature\n", title)
		}
	case auth.KindEncrypted:
		fmt.Fprintf(tw, "%s\tencrypted (JWE): only its audience can read the claims\n", title)
	default:
		fmt.Fprintf(tw, "%s\topaque: only the issuer can read it (Auth0 issues these when no audience is set)\n", title)
	}
	row := func(k, v string) {
		if v != "" {
			fmt.Fprintf(tw, "  %s\t%s\n", k, v)
		}
	}
	row("scopes", strings.Join(r.Scopes, " "))
	row("audience", strings.Join(r.Audience, " "))
	row("issuer", r.Issuer)
	row("subject", r.Subject)
	if r.ExpiresAt != nil {
		left := time.Duration(*r.ExpiresIn) * time.Second
		row("expires", fmt.Sprintf("%s (%s)", r.ExpiresAt.Local().Format(time.RFC1123), text.Relative(left)))
	}
	if r.IssuedAt != nil {
		row("issued at", r.IssuedAt.Local().Format(time.RFC1123))
	}
	if r.Kind != auth.KindJWT {
		return
	}
	for _, k := range []string{"alg", "kid", "typ"} {
		if v, ok := r.Header[k]; ok {
			row("header "+k, fmt.Sprint(v))
		}
	}
	d := auth.Decoded{Claims: r.Claims}
	for _, k := range d.ClaimNames() {
		row("claim "+k, d.FormatClaim(k))
	}
}

// withHint adds the command that fixes a missing or rejected refresh token.
func withHint(err error, name string) error {
	if errors.Is(err, auth.ErrNeedsLogin) {
		return fmt.Errorf("%w\nSign in again: tokentray login %s (or --device, or --refresh-token-stdin)", err, name)
	}
	return err
}
