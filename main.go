// Command tokentray keeps OAuth 2.0 / OpenID Connect refresh tokens in the OS
// keychain and hands out fresh access tokens from the system tray or the
// command line. main only wires the concrete parts together: the keychain
// store, the file lock, the engine, and the CLI or the GUI.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/atotto/clipboard"
	"github.com/spf13/cobra"
	"github.com/tokentray/tokentray/auth"
	"github.com/tokentray/tokentray/auth/keychain"
	"github.com/tokentray/tokentray/ui/cli"
	"github.com/tokentray/tokentray/ui/desktop"
	"golang.org/x/term"
)

// defaultService is the keychain service name all items live under.
// TOKENTRAY_KEYCHAIN_SERVICE overrides it (tests, and the demo, use their own).
const defaultService = "tokentray"

func main() {
	os.Exit(run())
}

func run() int {
	service := defaultService
	if s := os.Getenv("TOKENTRAY_KEYCHAIN_SERVICE"); s != "" {
		service = s
	}
	engine, err := newEngine(service)
	if err != nil {
		fmt.Fprintf(os.Stderr, "tokentray: %v\n", err)
		return cli.ExitError
	}
	if len(os.Args) == 1 {
		return desktop.Run(desktop.Options{Engine: engine, Service: service})
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	app := &cli.App{
		Engine:      engine,
		Clipboard:   systemClipboard{},
		Stdin:       os.Stdin,
		Stdout:      os.Stdout,
		Stderr:      os.Stderr,
		Terminal:    func() bool { return term.IsTerminal(int(os.Stdin.Fd())) },
		ReadHidden:  func() (string, error) { b, err := term.ReadPassword(int(os.Stdin.Fd())); return string(b), err },
		OpenBrowser: cli.OpenBrowser,
		Extra:       []*cobra.Command{desktop.DemoCommand(newEngine)},
	}
	return app.Run(ctx, os.Args[1:])
}

// newEngine is the engine over one keychain service (the demo uses its own).
func newEngine(service string) (*auth.Engine, error) {
	locks, err := auth.LockDir(service)
	if err != nil {
		return nil, err
	}
	return auth.NewEngine(keychain.New(service), auth.FileLocker{Dir: locks}), nil
}

// systemClipboard is atotto/clipboard (xclip, xsel or wl-copy on Linux).
type systemClipboard struct{}

func (systemClipboard) WriteAll(s string) error { return clipboard.WriteAll(s) }
