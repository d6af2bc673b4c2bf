package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/tokentray/tokentray/auth"
	"github.com/tokentray/tokentray/ui/clipboard"
	"github.com/tokentray/tokentray/ui/text"
)

// tokenCmd is `tokentray token`: print or copy a valid token.
func (a *App) tokenCmd() *cobra.Command {
	var refresh, idToken, header, toClipboard bool
	var output string
	var clearAfter time.Duration
	c := &cobra.Command{
		Use:   "token NAME",
		Short: "Print a valid access token (cached while valid, refreshed otherwise)",
		Example: `  curl -H "Authorization: Bearer $(tokentray token dev)" https://api.example.com/things
  curl -H "$(tokentray token dev --header)" https://api.example.com/things
  tokentray token dev --output json | jq -r .expires_at
  tokentray token dev --id-token --output exec-credential   # for a kubeconfig exec entry`,
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: a.completeProfiles,
		PreRunE: func(c *cobra.Command, _ []string) error {
			switch output {
			case outputText, outputJSON, outputExecCredential:
			default:
				return usagef("--output %q: use %s, %s or %s", output, outputText, outputJSON, outputExecCredential)
			}
			if output != outputText && (toClipboard || header) {
				return usagef("--output %s prints the token: it cannot be combined with --copy or --header", output)
			}
			if clearAfter < 0 {
				return usagef("--clear-after must not be negative (0 keeps the token on the clipboard)")
			}
			return nil
		},
		RunE: func(c *cobra.Command, args []string) error {
			t, err := a.Engine.Token(c.Context(), args[0], auth.TokenOptions{ForceRefresh: refresh, IDToken: idToken})
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
			switch output {
			case outputJSON:
				return writeJSON(a.Stdout, tokenJSON(t, idToken, a.Engine.Now()))
			case outputExecCredential:
				return writeJSON(a.Stdout, execCredentialOf(t, idToken))
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
				if err := a.Clipboard.Copy(out, clearAfter); err != nil {
					return fmt.Errorf("copy to the clipboard: %w", err)
				}
				cleared := ""
				if clearAfter > 0 {
					cleared = "; it is taken off again in " + text.Duration(clearAfter)
				}
				fmt.Fprintf(a.Stderr, "Copied the %s for %s to the clipboard%s%s.\n", what, args[0], validFor(t, a.Engine.Now()), cleared)
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
	f.BoolVar(&toClipboard, "copy", false, "copy to the clipboard instead of printing (marked as a secret for clipboard managers)")
	f.DurationVar(&clearAfter, "clear-after", clipboard.DefaultClearAfter, "with --copy: take the token off the clipboard after this long, if it is still there (0 keeps it)")
	f.StringVarP(&output, "output", "o", outputText, "what to print: text (the token), json (token, type, expiry, scopes) or exec-credential (a kubectl ExecCredential)")
	_ = c.RegisterFlagCompletionFunc("output", cobra.FixedCompletions([]string{outputText, outputJSON, outputExecCredential}, cobra.ShellCompDirectiveNoFileComp))
	return c
}

// RunCached answers `tokentray token NAME` without flags, the call scripts
// make before every request, from the engine's quick copy (see
// auth.Engine.QuickToken), before anything of the command tree is built:
// that tree costs more than the answer. It prints what Run would print.
// ok is false for any other args, and when the quick copy has no usable
// token for NAME: Run then does the whole work.
func (a *App) RunCached(args []string) (code int, ok bool) {
	if len(args) != 2 || args[0] != "token" || strings.HasPrefix(args[1], "-") {
		return 0, false
	}
	t, ok := a.Engine.QuickToken(args[1], auth.TokenOptions{})
	if !ok {
		return 0, false
	}
	if _, err := fmt.Fprintln(a.Stdout, t.AccessToken); err != nil {
		fmt.Fprintf(a.Stderr, "tokentray: %v\n", err)
		return ExitError, true
	}
	return ExitOK, true
}

// --output's values.
const (
	outputText           = "text"
	outputJSON           = "json"
	outputExecCredential = "exec-credential"
)

// tokenView is `token --output json`.
type tokenView struct {
	AccessToken string     `json:"access_token"`
	TokenType   string     `json:"token_type"`
	ExpiresAt   *time.Time `json:"expires_at,omitempty"` // UTC; none when the issuer gave no lifetime
	ExpiresIn   *int64     `json:"expires_in,omitempty"` // whole seconds left
	Scopes      []string   `json:"scopes"`
	IDToken     string     `json:"id_token,omitempty"` // with --id-token
}

func tokenJSON(t auth.Token, withID bool, now time.Time) tokenView {
	v := tokenView{AccessToken: t.AccessToken, TokenType: t.Type(), Scopes: t.Scopes()}
	if v.Scopes == nil {
		v.Scopes = []string{}
	}
	if !t.Expiry.IsZero() {
		at := t.Expiry.UTC()
		in := int64(t.Remaining(now) / time.Second)
		v.ExpiresAt, v.ExpiresIn = &at, &in
	}
	if withID {
		v.IDToken = t.IDToken
	}
	return v
}

// execCredential is the client.authentication.k8s.io ExecCredential a
// kubeconfig `exec` entry reads: the token, and when it expires so kubectl
// asks again only then. With --id-token it carries the ID token, which the
// Kubernetes OIDC authenticator expects, with the ID token's own expiry.
type execCredential struct {
	APIVersion string               `json:"apiVersion"`
	Kind       string               `json:"kind"`
	Status     execCredentialStatus `json:"status"`
}

type execCredentialStatus struct {
	Token               string `json:"token"`
	ExpirationTimestamp string `json:"expirationTimestamp,omitempty"` // RFC 3339, UTC
}

// execCredentialVersion answers in the version kubectl asked for in
// KUBERNETES_EXEC_INFO (v1 or v1beta1), v1 when it did not say.
func execCredentialVersion() string {
	const v1, v1beta1 = "client.authentication.k8s.io/v1", "client.authentication.k8s.io/v1beta1"
	var info struct {
		APIVersion string `json:"apiVersion"`
	}
	if json.Unmarshal([]byte(os.Getenv("KUBERNETES_EXEC_INFO")), &info) == nil && info.APIVersion == v1beta1 {
		return v1beta1
	}
	return v1
}

func execCredentialOf(t auth.Token, withID bool) execCredential {
	token, expiry := t.AccessToken, t.Expiry
	if withID {
		token, expiry = t.IDToken, auth.Decode(t.IDToken).Expiry()
	}
	ec := execCredential{APIVersion: execCredentialVersion(), Kind: "ExecCredential", Status: execCredentialStatus{Token: token}}
	if !expiry.IsZero() {
		ec.Status.ExpirationTimestamp = expiry.UTC().Format(time.RFC3339)
	}
	return ec
}

func validFor(t auth.Token, now time.Time) string {
	if t.Expiry.IsZero() {
		return ""
	}
	return " (valid " + text.Duration(t.Remaining(now)) + ")"
}
