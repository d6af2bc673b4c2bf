package cli

import (
	"errors"

	"github.com/spf13/cobra"
)

const (
	demoShort = "Start the tray app with demo profiles from a built-in issuer (no Auth0 tenant needed)"
	demoLong  = `Start the tray app with demo profiles whose short-lived tokens come from an
issuer built into tokentray, listening on 127.0.0.1 for as long as the demo
runs. Refresh tokens rotate, as with Auth0. The demo keeps its profiles under
`
)

// demoCmd is `tokentray demo`: the tray app over demo profiles and a
// built-in issuer. It lives in the tray app's executable (DemoCommand);
// this only hands the arguments over.
func (a *App) demoCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "demo [--profiles N]",
		Short: demoShort,
		Long: demoLong + `a keychain service of its own and never touches your real profiles.
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

// DemoCommand is the tray app's `demo` command, which `tokentray demo`
// starts: it reads the flags and calls run with the number of profiles
// asked for (0: the built-in ones). The tray app's executable passes its
// GUI's start as run (ui/desktop.RunDemo), so this package needs no Fyne;
// service is the demo's keychain service, for the help text.
func DemoCommand(service string, run func(profiles int) error) *cobra.Command {
	var profiles int
	c := &cobra.Command{
		Use:   "demo",
		Short: demoShort,
		Long:  demoLong + `the keychain service "` + service + `" and never touches your real profiles.`,
		Args:  cobra.NoArgs,
		RunE:  func(*cobra.Command, []string) error { return run(profiles) },
	}
	c.Flags().IntVar(&profiles, "profiles", 0, "number of demo profiles (at least the built-in five)")
	return c
}
