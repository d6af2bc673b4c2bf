package cli

import (
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	"github.com/tokentray/tokentray/auth"
	"github.com/tokentray/tokentray/ui/text"
)

// inspectCmd is `tokentray inspect`: what a valid token says about itself.
func (a *App) inspectCmd() *cobra.Command {
	var asJSON bool
	c := &cobra.Command{
		Use:               "inspect NAME",
		Short:             "Show a valid token's scopes, audience, expiry, subject and claims (decoded, not verified)",
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: a.completeProfiles,
		RunE: func(c *cobra.Command, args []string) error {
			t, err := a.Engine.Token(c.Context(), args[0], auth.TokenOptions{})
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
