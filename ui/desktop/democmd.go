package desktop

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"
	"github.com/tokentray/tokentray/auth"
	"github.com/tokentray/tokentray/ui/desktop/demo"
)

// DemoCommand is `tokentray demo`: the tray app over demo profiles served by
// a built-in loopback issuer, under the keychain service demo.Service.
// newEngine builds an engine over a keychain service (main's wiring).
func DemoCommand(newEngine func(service string) (*auth.Engine, error)) *cobra.Command {
	return &cobra.Command{
		Use:   "demo",
		Short: "Start the tray app with demo profiles from a built-in issuer (no Auth0 tenant needed)",
		Long: `Start the tray app with demo profiles whose short-lived tokens come from an
issuer built into tokentray, listening on 127.0.0.1 for as long as the demo
runs. Refresh tokens rotate, as with Auth0. The demo keeps its profiles under
the keychain service "` + demo.Service + `" and never touches your real profiles.`,
		Args: cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			e, err := newEngine(demo.Service)
			if err != nil {
				return err
			}
			iss, err := demo.Start()
			if err != nil {
				return err
			}
			defer iss.Close()
			code := Run(Options{
				Engine:  e,
				Service: demo.Service,
				Title:   "tokentray demo",
				Hint:    demo.Hint,
				Before: func() error {
					ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
					defer cancel()
					return demo.Seed(ctx, e, iss)
				},
			})
			if code != 0 {
				return fmt.Errorf("the demo ended with exit code %d", code)
			}
			return nil
		},
	}
}
