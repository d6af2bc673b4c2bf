package cli

import (
	"errors"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	"github.com/tokentray/tokentray/auth"
)

func (a *App) loginCmd() *cobra.Command {
	var fromStdin bool
	c := &cobra.Command{
		Use:               "login NAME --refresh-token-stdin",
		Short:             "Store a refresh token for a profile",
		Long:              "Store a refresh token you already have (from Auth0's dashboard, a sign-in script or another tool). It is read from stdin, never from arguments.",
		Example:           "  tokentray login dev --refresh-token-stdin < refresh-token.txt",
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: a.completeProfiles,
		RunE: func(c *cobra.Command, args []string) error {
			if !fromStdin {
				return usagef("give --refresh-token-stdin and the refresh token on stdin")
			}
			rt, err := a.readSecret("refresh token")
			if err != nil {
				return err
			}
			if err := a.Engine.SetRefreshToken(c.Context(), args[0], rt); err != nil {
				return err
			}
			fmt.Fprintf(a.Stderr, "Stored the refresh token for %s. Get an access token: tokentray token %s\n", args[0], args[0])
			return nil
		},
	}
	c.Flags().BoolVar(&fromStdin, "refresh-token-stdin", false, "read the refresh token from stdin (hidden prompt on a terminal)")
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
				return err
			}
			what, out := "access token", t.AccessToken
			if idToken {
				if t.IDToken == "" {
					return errors.New("no ID token for " + args[0] + ": the issuer sends one only when the openid scope was granted at sign-in")
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
	return " (valid " + Remaining(t.Remaining(now)) + ")"
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
	r := &tokenReport{Kind: d.Kind, Verified: d.Verified, Header: d.Header, Claims: d.Claims,
		Scopes: d.Scopes(), Audience: d.Audience(), Issuer: d.Issuer(), Subject: d.Subject()}
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
				return err
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
		fmt.Fprintf(tw, "%s\tJWT, decoded WITHOUT verifying the signature\n", title)
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
		rel := "in " + Remaining(left)
		if left <= 0 {
			rel = "expired " + Remaining(-left) + " ago"
		}
		row("expires", fmt.Sprintf("%s (%s)", r.ExpiresAt.Local().Format(time.RFC1123), rel))
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
