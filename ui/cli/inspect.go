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

// inspectCmd is `tokentray inspect`: what a token says about itself — a
// profile's valid tokens, or any token given on stdin ("-").
func (a *App) inspectCmd() *cobra.Command {
	var asJSON, verify bool
	var caFile string
	c := &cobra.Command{
		Use:   "inspect (NAME | -)",
		Short: "Show a token's scopes, audience, expiry, subject and claims; --verify checks its signature",
		Long: `Shows what a token says about itself: header, scopes, audience, issuer, subject,
expiry and every claim. NAME inspects the profile's valid tokens; "-" reads any
token from stdin (a JWT, a JWE or an opaque token; an "Authorization: Bearer"
prefix is dropped), which is never stored.

Claims are decoded without trusting them. --verify checks a JWT's signature
against the keys its own issuer publishes (OpenID discovery from its iss, https
only except on loopback; the key named by kid; exp and nbf with a small leeway)
and says in one line whether it holds; the exit code is 0 only when it does.`,
		Example: `  tokentray inspect dev
  pbpaste | tokentray inspect - --verify
  tokentray inspect - --json < token.txt | jq .claims`,
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: a.completeProfiles,
		RunE: func(c *cobra.Command, args []string) error {
			var reports []*tokenReport
			var titles []string
			var signInBy time.Time // when the profile's refresh token runs out, if known
			extra := map[string]any{}
			if args[0] == "-" {
				raw, err := a.readSecret("token")
				if err != nil {
					return err
				}
				raw = auth.BareToken(raw)
				reports, titles = []*tokenReport{a.report(raw, auth.Token{}, false)}, []string{"token"}
				reports[0].raw = raw
			} else {
				t, err := a.Engine.Token(c.Context(), args[0], auth.TokenOptions{})
				if err != nil {
					return withHint(err, args[0])
				}
				// One more read, after the token: the profile (for its CA file)
				// and when its refresh token runs out.
				st := a.Engine.Status(c.Context(), args[0])
				if caFile == "" {
					caFile = st.Profile.CAFile
				}
				at := a.report(t.AccessToken, t, true)
				at.raw = t.AccessToken
				reports, titles = []*tokenReport{at}, []string{"access token"}
				if id := a.report(t.IDToken, t, false); id != nil {
					id.raw = t.IDToken
					reports, titles = append(reports, id), append(titles, "ID token")
				}
				extra = map[string]any{"profile": args[0], "token_type": t.Type(), "granted_scope": t.Scope}
				if by := st.SignInBy; !by.IsZero() {
					signInBy, extra["sign_in_by"] = by, by
				}
			}
			valid := true
			if verify {
				for _, r := range reports {
					if args[0] != "-" && r.Kind != auth.KindJWT {
						continue // a profile's opaque access token: nothing to check, nothing wrong
					}
					v, err := a.Engine.VerifyJWT(c.Context(), r.raw, caFile)
					r.Verification = &verification{Valid: err == nil, Algorithm: v.Algorithm, KeyID: v.KeyID, Issuer: v.Issuer}
					if err != nil {
						r.Verification.Error = err.Error()
						valid = false
					} else {
						r.Verified = true
					}
				}
			}
			if asJSON {
				if args[0] == "-" {
					if err := writeJSON(a.Stdout, reports[0]); err != nil {
						return err
					}
				} else {
					extra["access_token"] = reports[0]
					extra["id_token"] = nil
					if len(reports) > 1 {
						extra["id_token"] = reports[1]
					}
					if err := writeJSON(a.Stdout, extra); err != nil {
						return err
					}
				}
			} else {
				tw := tabwriter.NewWriter(a.Stdout, 0, 4, 2, ' ', 0)
				for i, r := range reports {
					if i > 0 {
						fmt.Fprintln(tw)
					}
					a.printReport(tw, titles[i], r)
				}
				if !signInBy.IsZero() {
					fmt.Fprintf(tw, "\nrefresh token\t%s (%s)\n", text.SignInAgain(signInBy, a.Engine.Now()), signInBy.Local().Format(time.RFC1123))
				}
				if err := tw.Flush(); err != nil {
					return err
				}
			}
			if !valid {
				return &exitStatus{code: ExitError} // the report said why
			}
			return nil
		},
	}
	c.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	c.Flags().BoolVar(&verify, "verify", false, "check each JWT's signature against its issuer's published keys (exit 0 only when it holds)")
	c.Flags().StringVar(&caFile, "ca-file", "", "with --verify: PEM file of CA certificates to trust for a private issuer (a profile's own by default)")
	_ = c.MarkFlagFilename("ca-file", "pem", "crt")
	return c
}

// verification is what --verify found, in `inspect --json`.
type verification struct {
	Valid     bool   `json:"valid"`
	Algorithm string `json:"algorithm,omitempty"`
	KeyID     string `json:"key_id,omitempty"`
	Issuer    string `json:"issuer,omitempty"`
	Error     string `json:"error,omitempty"`
}

// line is the one line --verify prints.
func (v *verification) line() string {
	if !v.Valid {
		return "NOT valid: " + v.Error
	}
	parts := []string{v.Algorithm}
	if v.KeyID != "" {
		parts = append(parts, "kid "+v.KeyID)
	}
	parts = append(parts, "issuer "+v.Issuer)
	return "signature valid (" + strings.Join(parts, ", ") + ")"
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
	// Verification is --verify's finding; nil without it.
	Verification *verification `json:"verification,omitempty"`

	raw string // the token itself, never printed
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
		switch {
		case r.Verification != nil && r.Verification.Valid:
			fmt.Fprintf(tw, "%s\tJWT, signature verified against its issuer's keys\n", title)
		case r.Verified:
			fmt.Fprintf(tw, "%s\tJWT, signature verified at sign-in\n", title)
		default:
			fmt.Fprintf(tw, "%s\tJWT, decoded WITHOUT verifying the signature\n", title)
		}
	case auth.KindEncrypted:
		fmt.Fprintf(tw, "%s\tencrypted (JWE): only its audience can read the claims\n", title)
	default:
		fmt.Fprintf(tw, "%s\topaque: only the issuer can read it (Auth0 issues these when no audience is set)\n", title)
	}
	if r.Verification != nil {
		fmt.Fprintf(tw, "  %s\n", r.Verification.line())
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
