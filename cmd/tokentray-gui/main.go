// Command tokentray-gui is tokentray's tray app and window. Users do not
// start it by name: `tokentray` without arguments (and `tokentray demo`)
// executes it. It is an executable of its own so that the command line,
// which scripts run before every API call, never loads Fyne, OpenGL or X11
// (see docs/architecture.md).
package main

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"
	"github.com/tokentray/tokentray/auth"
	"github.com/tokentray/tokentray/auth/keychain"
	"github.com/tokentray/tokentray/demo"
	"github.com/tokentray/tokentray/ui/cli"
	"github.com/tokentray/tokentray/ui/desktop"
)

func main() {
	os.Exit(run())
}

func run() int {
	code := 0
	var hidden bool
	root := &cobra.Command{
		Use:           "tokentray-gui",
		Short:         "tokentray's tray app (start it as `tokentray`)",
		Args:          cobra.NoArgs,
		SilenceUsage:  true,
		SilenceErrors: true,
		RunE: func(*cobra.Command, []string) error {
			service := keychain.Service()
			engine, err := keychain.NewEngine(service)
			if err != nil {
				return err
			}
			code = desktop.Run(desktop.Options{Engine: engine, Service: service, Hidden: hidden})
			return nil
		},
	}
	// At login (ui/autostart) the app starts in the tray, its window hidden.
	root.Flags().BoolVar(&hidden, "hidden", false, "start in the tray without showing the window")
	newEngine := func(service string) (*auth.Engine, error) { return keychain.NewEngine(service) }
	root.AddCommand(cli.DemoCommand(demo.Service, func(profiles int) error { return desktop.RunDemo(newEngine, profiles) }))
	if err := root.Execute(); err != nil {
		fmt.Fprintf(os.Stderr, "tokentray: %v\n", err)
		return 1
	}
	return code
}
