package cli

import (
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"
	"github.com/tokentray/tokentray/auth"
	"github.com/tokentray/tokentray/ui/text"
)

// tokenCmd is `tokentray token`: print or copy a valid token.
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
			t, err := a.Engine.Token(c.Context(), args[0], auth.TokenOptions{ForceRefresh: refresh})
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
