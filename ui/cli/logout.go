package cli

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"
	"github.com/tokentray/tokentray/auth"
)

// logoutCmd is `tokentray logout`: revoke, then forget the tokens.
func (a *App) logoutCmd() *cobra.Command {
	var local bool
	c := &cobra.Command{
		Use:               "logout NAME",
		Short:             "Revoke the refresh token at the issuer and delete the profile's tokens (the profile stays)",
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: a.completeProfiles,
		RunE: func(c *cobra.Command, args []string) error {
			err := a.Engine.Logout(c.Context(), args[0], auth.LogoutOptions{EvenIfNotRevoked: local})
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
