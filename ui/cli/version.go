package cli

import (
	"fmt"

	"github.com/spf13/cobra"
	"github.com/tokentray/tokentray/internal/version"
)

// versionCmd is `tokentray version`, the same as --version.
func (a *App) versionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print tokentray's version",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			_, err := fmt.Fprintf(a.Stdout, "tokentray %s\n", version.String())
			return err
		},
	}
}
