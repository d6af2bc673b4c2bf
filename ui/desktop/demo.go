package desktop

import (
	"context"
	"fmt"
	"time"

	"github.com/tokentray/tokentray/auth"
	"github.com/tokentray/tokentray/demo"
)

// DemoHint is shown above the demo's profile list.
const DemoHint = "Demo: these profiles get short-lived tokens from an issuer built into tokentray (127.0.0.1, rotating refresh tokens). Your real profiles are not touched."

// warmUpMax is the largest demo that starts with tokens already fetched; a
// big one (benchmarks) starts cold.
const warmUpMax = 10

// RunDemo is `tokentray demo` (its command is ui/cli.DemoCommand): the tray
// app over demo profiles served by the built-in loopback issuer
// (package demo), under the keychain service demo.Service. newEngine builds
// an engine over a keychain service (main's wiring).
func RunDemo(newEngine func(service string) (*auth.Engine, error), profiles int) error {
	e, err := newEngine(demo.Service)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	iss, err := demo.Start(ctx)
	if err != nil {
		return err
	}
	code := Run(Options{
		Engine:  e,
		Service: demo.Service,
		Title:   "tokentray demo",
		Hint:    DemoHint,
		Prepare: func() error {
			sctx, done := context.WithTimeout(ctx, 2*time.Minute)
			defer done()
			if err := demo.Setup(sctx, e, iss, profiles); err != nil {
				return err
			}
			warmUp(ctx, e)
			return nil
		},
	})
	if code != 0 {
		return fmt.Errorf("the demo ended with exit code %d", code)
	}
	return nil
}

// warmUp fetches a first token for each signed-in demo profile, so the
// countdowns run from the first look. The window and tray follow through
// the engine's change notifications.
func warmUp(ctx context.Context, e *auth.Engine) {
	names, err := e.Names(ctx)
	if err != nil || len(names) > warmUpMax {
		return
	}
	for _, n := range names {
		tctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		_, _ = e.Token(tctx, n, auth.TokenOptions{}) // a profile never signed in stays so
		cancel()
	}
}
