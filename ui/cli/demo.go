package cli

import (
	"errors"

	"github.com/spf13/cobra"
)

// demoCmd is `tokentray demo`: the tray app over demo profiles and a
// built-in issuer. It lives in the tray app's executable; this only hands
// the arguments over.
func (a *App) demoCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "demo [--profiles N]",
		Short: "Start the tray app with demo profiles from a built-in issuer (no Auth0 tenant needed)",
		Long: `Start the tray app with demo profiles whose short-lived tokens come from an
issuer built into tokentray, listening on 127.0.0.1 for as long as the demo
runs. Refresh tokens rotate, as with Auth0. The demo keeps its profiles under
a keychain service of its own and never touches your real profiles.
--profiles N starts it with N profiles (at least the built-in five).`,
		DisableFlagParsing: true,
		RunE: func(_ *cobra.Command, args []string) error {
			if a.StartGUI == nil {
				return errors.New("no tray app in this build")
			}
			return a.StartGUI(append([]string{"demo"}, args...))
		},
	}
}
