package cli

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	"github.com/tokentray/tokentray/auth"
	"github.com/tokentray/tokentray/ui/text"
)

// grantSignIn is --grant's word for a profile's default grant (a user's
// sign-in, whose refresh token is kept).
const grantSignIn = "sign-in"

// profileFlags are the flags shared by `profile add` and `profile edit`.
type profileFlags struct {
	domain, issuer, tokenURL, clientID, method, audience, scope, caFile, prompt, grant string
	refreshLifetime, refreshIdle                                                       string
	keepSignedIn                                                                       bool
	params                                                                             []string
	secretStdin                                                                        bool
	callbackPort                                                                       int
}

func (f *profileFlags) register(c *cobra.Command) {
	fl := c.Flags()
	fl.StringVar(&f.domain, "domain", "", "Auth0 domain, e.g. acme.eu.auth0.com (token endpoint https://DOMAIN/oauth/token)")
	fl.StringVar(&f.issuer, "issuer", "", "OpenID Connect issuer URL (token endpoint from discovery)")
	fl.StringVar(&f.tokenURL, "token-url", "", "explicit token endpoint URL")
	fl.StringVar(&f.clientID, "client-id", "", "OAuth client ID")
	fl.StringVar(&f.method, "auth", "", "client authentication: post (client_secret_post, default with a secret), basic, none (public client)")
	fl.StringVar(&f.grant, "grant", "", "where tokens come from: sign-in (default: a user signs in, the refresh token is kept) or client_credentials (machine to machine: the application's own client ID and secret)")
	fl.StringVar(&f.audience, "audience", "", "API audience (Auth0) the tokens are for")
	fl.StringVar(&f.scope, "scope", "", "extra scopes requested, space separated")
	fl.StringVar(&f.caFile, "ca-file", "", "PEM file of CA certificates to trust for a private issuer")
	fl.IntVar(&f.callbackPort, "callback-port", 0, "fixed loopback port for the browser sign-in's callback (0: any free port)")
	fl.StringVar(&f.prompt, "prompt", "", "browser sign-in prompt: "+strings.Join(auth.Prompts, ", ")+", or \"default\" (consent for --issuer profiles asking for offline_access, none for --domain)")
	fl.StringVar(&f.refreshLifetime, "refresh-lifetime", "", "the issuer's absolute refresh token lifetime, e.g. 30d (Auth0: the API's Absolute Lifetime), for \"sign in again in …\"; 0: unknown")
	fl.StringVar(&f.refreshIdle, "refresh-idle", "", "the issuer's inactivity lifetime of a refresh token, e.g. 15d (Auth0: Inactivity Lifetime); 0: unknown")
	fl.BoolVar(&f.keepSignedIn, "keep-signed-in", false, "have the tray app refresh once before the inactivity lifetime runs out")
	fl.StringArrayVar(&f.params, "param", nil, "extra `key=value` sent to the issuer's authorization and token endpoints (repeatable; key= removes it), e.g. organization=org_123")
	_ = c.RegisterFlagCompletionFunc("grant", cobra.FixedCompletions([]string{grantSignIn, auth.GrantClientCredentials}, cobra.ShellCompDirectiveNoFileComp))
	_ = c.RegisterFlagCompletionFunc("prompt", cobra.FixedCompletions(append([]string{"default"}, auth.Prompts...), cobra.ShellCompDirectiveNoFileComp))
	fl.BoolVar(&f.secretStdin, "client-secret-stdin", false, "read the client secret from stdin (hidden prompt on a terminal)")
	_ = c.MarkFlagFilename("ca-file", "pem", "crt")
}

// apply copies the flags the user gave onto p.
func (a *App) applyFlags(c *cobra.Command, f *profileFlags, p *auth.Profile) error {
	ch := c.Flags().Changed
	n := 0
	for _, f := range []string{"domain", "issuer", "token-url"} {
		if ch(f) {
			n++
		}
	}
	if n > 1 {
		return usagef("give only one of --domain, --issuer and --token-url")
	}
	if n == 1 {
		p.Domain, p.Issuer, p.TokenURL = f.domain, f.issuer, f.tokenURL
	}
	if ch("client-id") {
		p.ClientID = f.clientID
	}
	if ch("auth") {
		p.AuthMethod = auth.AuthMethod(f.method)
		if p.AuthMethod == auth.AuthNone {
			p.ClientSecret = ""
		}
	}
	for flag, dst := range map[string]*time.Duration{"refresh-lifetime": &p.RefreshLifetime, "refresh-idle": &p.RefreshIdle} {
		if !ch(flag) {
			continue
		}
		v := f.refreshLifetime
		if flag == "refresh-idle" {
			v = f.refreshIdle
		}
		d, err := text.ParseSpan(v)
		if err != nil {
			return usagef("--%s: %v", flag, err)
		}
		*dst = d
	}
	if ch("keep-signed-in") {
		p.KeepSignedIn = f.keepSignedIn
	}
	if ch("grant") {
		p.Grant = f.grant
		if p.Grant == grantSignIn {
			p.Grant = ""
		}
	}
	if ch("audience") {
		p.Audience = f.audience
	}
	if ch("scope") {
		p.Scope = f.scope
	}
	if ch("ca-file") {
		p.CAFile = f.caFile
	}
	if ch("callback-port") {
		p.CallbackPort = f.callbackPort
	}
	if ch("prompt") {
		p.Prompt = f.prompt
		if p.Prompt == "default" {
			p.Prompt = ""
		}
	}
	for _, kv := range f.params {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || strings.TrimSpace(k) == "" {
			return usagef("--param %q: give key=value (key= removes the parameter)", kv)
		}
		if p.Params == nil {
			p.Params = map[string]string{}
		}
		k = strings.TrimSpace(k)
		if v == "" {
			delete(p.Params, k)
			continue
		}
		p.Params[k] = v
	}
	if f.secretStdin {
		s, err := a.readSecret("client secret")
		if err != nil {
			return err
		}
		p.ClientSecret = s
	}
	return nil
}

func (a *App) profileCmd() *cobra.Command {
	c := &cobra.Command{Use: "profile", Short: "Add, edit, list, show and remove profiles"}
	c.AddCommand(a.profileAddCmd(), a.profileEditCmd(), a.profileListCmd(), a.profileShowCmd(), a.profileRmCmd())
	return c
}

func (a *App) profileAddCmd() *cobra.Command {
	var f profileFlags
	c := &cobra.Command{
		Use:   "add NAME (--domain D | --issuer URL | --token-url URL) --client-id ID",
		Short: "Add a profile",
		Example: `  printf %s "$SECRET" | tokentray profile add dev --domain acme.eu.auth0.com \
      --client-id abc123 --audience https://api.example.com --client-secret-stdin
  # machine to machine: the application's own credentials, no sign-in
  printf %s "$SECRET" | tokentray profile add billing --grant client_credentials \
      --domain acme.eu.auth0.com --client-id m2m456 --audience https://api.example.com --client-secret-stdin`,
		Args: cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			p := auth.Profile{Name: args[0]}
			if err := a.applyFlags(c, &f, &p); err != nil {
				return err
			}
			p, err := a.Engine.AddProfile(c.Context(), p)
			if err != nil {
				return profileHint(err, p.Name)
			}
			if p.Machine() {
				fmt.Fprintf(a.Stderr, "Added %s (%s, %s, client credentials). Get a token: tokentray token %s\n", p.Name, p.Where(), p.Method(), p.Name)
				return nil
			}
			fmt.Fprintf(a.Stderr, "Added %s (%s, %s). Next: tokentray login %s\n", p.Name, p.Where(), p.Method(), p.Name)
			return nil
		},
	}
	f.register(c)
	return c
}

func (a *App) profileEditCmd() *cobra.Command {
	var f profileFlags
	c := &cobra.Command{
		Use:               "edit NAME [flags]",
		Short:             "Change a profile; flags not given stay as they are",
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: a.completeProfiles,
		RunE: func(c *cobra.Command, args []string) error {
			p, err := a.Engine.Profile(c.Context(), args[0])
			if err != nil {
				return err
			}
			if err := a.applyFlags(c, &f, &p); err != nil {
				return err
			}
			p, err = a.Engine.UpdateProfile(c.Context(), p)
			if err != nil {
				return profileHint(err, p.Name)
			}
			fmt.Fprintf(a.Stderr, "Updated %s.\n", p.Name)
			return nil
		},
	}
	f.register(c)
	return c
}

// profileView is the secret-free JSON shape of a profile and its state.
type profileView struct {
	Name            string            `json:"name"`
	Domain          string            `json:"domain,omitempty"`
	Issuer          string            `json:"issuer,omitempty"`
	TokenURL        string            `json:"token_url,omitempty"`
	ClientID        string            `json:"client_id,omitempty"`
	ClientSecret    bool              `json:"client_secret_set"`
	AuthMethod      string            `json:"auth_method,omitempty"`
	Grant           string            `json:"grant"`
	Audience        string            `json:"audience,omitempty"`
	Scope           string            `json:"scope,omitempty"`
	CAFile          string            `json:"ca_file,omitempty"`
	CallbackURL     string            `json:"callback_url,omitempty"`
	Prompt          string            `json:"prompt,omitempty"`
	Params          map[string]string `json:"params,omitempty"`
	State           string            `json:"state"`
	HasRefreshToken bool              `json:"has_refresh_token"`
	SignInBy        *time.Time        `json:"sign_in_by,omitempty"`
	KeepSignedIn    bool              `json:"keep_signed_in,omitempty"`
	ExpiresAt       *time.Time        `json:"access_token_expires_at,omitempty"`
	Error           string            `json:"error,omitempty"`
}

func (a *App) view(s auth.Status) profileView {
	p := s.Profile
	v := profileView{
		Name: p.Name, Domain: p.Domain, Issuer: p.Issuer, TokenURL: p.TokenURL, ClientID: p.ClientID,
		ClientSecret: p.ClientSecret != "", Audience: p.Audience, Scope: p.Scope, CAFile: p.CAFile,
		HasRefreshToken: s.HasRefreshToken, State: a.state(s), Prompt: p.LoginPrompt(), Params: p.Params,
		Grant: grantWord(p), KeepSignedIn: p.KeepSignedIn,
	}
	if !s.SignInBy.IsZero() {
		by := s.SignInBy
		v.SignInBy = &by
	}
	if p.Machine() {
		v.Prompt = "" // no sign-in, no prompt
	}
	if p.CallbackPort != 0 {
		v.CallbackURL = auth.CallbackURL(p.CallbackPort)
	}
	if p.ClientID != "" {
		v.AuthMethod = string(p.Method())
	}
	if !s.Token.Expiry.IsZero() {
		t := s.Token.Expiry
		v.ExpiresAt = &t
	}
	if s.Err != nil {
		v.Error = s.Err.Error()
	}
	return v
}

// lifetimes words a profile's refresh token lifetimes.
func lifetimes(p auth.Profile) string {
	var parts []string
	if p.RefreshLifetime > 0 {
		parts = append(parts, text.Span(p.RefreshLifetime)+" from sign-in")
	}
	if p.RefreshIdle > 0 {
		parts = append(parts, text.Span(p.RefreshIdle)+" unused")
	}
	return strings.Join(parts, ", ")
}

// grantWord is --grant's word for p's grant.
func grantWord(p auth.Profile) string {
	if p.Machine() {
		return auth.GrantClientCredentials
	}
	return grantSignIn
}

// state is a short word for a profile's state, as in the tray.
func (a *App) state(s auth.Status) string {
	now := a.Engine.Now()
	switch {
	case s.Err != nil:
		return "error"
	case s.Token.ValidFor(now, 0) && s.Token.Expiry.IsZero():
		return "valid"
	case s.Token.ValidFor(now, 0):
		return "valid " + text.Duration(s.Token.Remaining(now))
	case s.Profile.Machine() && s.Token.AccessToken != "":
		return "expired" // the next `token` gets another, no sign-in needed
	case s.Profile.Machine():
		return "no token yet"
	case !s.HasRefreshToken:
		return "sign in needed"
	case s.Token.AccessToken != "":
		return "expired"
	}
	return "no token yet"
}

func (a *App) profileListCmd() *cobra.Command {
	var asJSON bool
	c := &cobra.Command{
		Use:   "list",
		Short: "List profiles and the state of their tokens",
		Args:  cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			sts, err := a.Engine.Statuses(c.Context())
			if err != nil {
				return err
			}
			views := make([]profileView, 0, len(sts))
			for _, s := range sts {
				views = append(views, a.view(s))
			}
			if asJSON {
				return writeJSON(a.Stdout, views)
			}
			if len(views) == 0 {
				fmt.Fprintln(a.Stderr, "No profiles yet. Add one: tokentray profile add NAME --domain DOMAIN --client-id ID --client-secret-stdin")
				return nil
			}
			tw := tabwriter.NewWriter(a.Stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "NAME\tWHERE\tCLIENT\tGRANT\tSTATE")
			for i, v := range views {
				state := v.State
				if v.Error != "" {
					state += ": " + v.Error
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", v.Name, sts[i].Profile.Where(), v.ClientID, v.Grant, state)
			}
			return tw.Flush()
		},
	}
	c.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return c
}

func (a *App) profileShowCmd() *cobra.Command {
	var asJSON bool
	c := &cobra.Command{
		Use:               "show NAME",
		Short:             "Show a profile (never its secrets)",
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: a.completeProfiles,
		RunE: func(c *cobra.Command, args []string) error {
			s := a.Engine.Status(c.Context(), args[0])
			if s.Err != nil {
				return fmt.Errorf("profile %s: %w", args[0], s.Err)
			}
			v := a.view(s)
			if asJSON {
				return writeJSON(a.Stdout, v)
			}
			tw := tabwriter.NewWriter(a.Stdout, 0, 4, 2, ' ', 0)
			row := func(k, val string) {
				if val != "" {
					fmt.Fprintf(tw, "%s\t%s\n", k, val)
				}
			}
			row("name", v.Name)
			row("domain", v.Domain)
			row("issuer", v.Issuer)
			row("token url", v.TokenURL)
			row("client id", v.ClientID)
			row("client secret", map[bool]string{true: "set (hidden)", false: "none"}[v.ClientSecret])
			row("auth method", v.AuthMethod)
			row("grant", v.Grant)
			row("audience", v.Audience)
			row("scope", v.Scope)
			row("ca file", v.CAFile)
			row("callback url", v.CallbackURL)
			if !s.Profile.Machine() && (v.Prompt != "" || v.Issuer != "" || v.Domain != "") {
				prompt := v.Prompt
				if prompt == "" {
					prompt = "none sent"
				}
				if s.Profile.Prompt == "" {
					prompt += " (default)"
				}
				row("sign-in prompt", prompt)
			}
			for _, k := range slices.Sorted(maps.Keys(v.Params)) {
				row("param "+k, v.Params[k])
			}
			switch {
			case s.Profile.Machine():
				row("refresh token", "none: client credentials get each token")
			default:
				row("refresh token", map[bool]string{true: "stored (hidden)", false: "none: tokentray login " + v.Name}[v.HasRefreshToken])
			}
			if p := s.Profile; p.RefreshLifetime > 0 || p.RefreshIdle > 0 {
				row("refresh lifetimes", lifetimes(p))
			}
			if v.SignInBy != nil {
				row("sign in again", v.SignInBy.Local().Format(time.RFC1123)+" ("+text.SignInAgain(*v.SignInBy, a.Engine.Now())+")")
			}
			if v.KeepSignedIn {
				row("keep signed in", "yes (the tray app refreshes before the inactivity lifetime runs out)")
			}
			row("access token", v.State)
			if v.ExpiresAt != nil {
				row("expires", v.ExpiresAt.Local().Format(time.RFC1123))
			}
			return tw.Flush()
		},
	}
	c.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return c
}

func (a *App) profileRmCmd() *cobra.Command {
	return &cobra.Command{
		Use:               "rm NAME",
		Aliases:           []string{"remove"},
		Short:             "Remove a profile and everything stored for it",
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: a.completeProfiles,
		RunE: func(c *cobra.Command, args []string) error {
			if err := a.Engine.RemoveProfile(c.Context(), args[0]); err != nil {
				return err
			}
			fmt.Fprintf(a.Stderr, "Removed %s.\n", args[0])
			return nil
		},
	}
}

func writeJSON(w interface{ Write([]byte) (int, error) }, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
