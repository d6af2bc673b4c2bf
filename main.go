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
	"sync/atomic"
	"syscall"

	"github.com/atotto/clipboard"
	"github.com/spf13/cobra"
	"github.com/tokentray/tokentray/auth"
	"github.com/tokentray/tokentray/auth/keychain"
	"github.com/tokentray/tokentray/ui/cli"
	"github.com/tokentray/tokentray/ui/desktop"
	"github.com/tokentray/tokentray/ui/text"
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
		code := desktop.Run(desktop.Options{Engine: engine, Service: service})
		// Fyne has taken the first SIGINT/SIGTERM (or the user chose Quit);
		// from now on the next one ends the process at once.
		signal.Reset(os.Interrupt, syscall.SIGTERM)
		finish(engine)
		return code
	}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var got atomic.Value // the os.Signal that interrupted the command
	sigs := make(chan os.Signal, 1)
	// SIGHUP too: a closed terminal or a dropped ssh session must not cut
	// a refresh short either.
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	go func() {
		s := <-sigs
		// A second Ctrl-C is not caught: it ends the process at once, as
		// users expect when they really mean it.
		signal.Reset(os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
		got.Store(s)
		cancel()
	}()
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
	code := app.Run(ctx, os.Args[1:])
	finish(engine)
	if s, ok := got.Load().(syscall.Signal); ok && code != cli.ExitOK {
		// Cut short by the signal: the shell's convention, 130 for Ctrl-C,
		// 143 for SIGTERM, 129 for SIGHUP. A command that ended well anyway (the demo's
		// window quitting on SIGTERM) keeps its 0.
		return 128 + int(s)
	}
	return code
}

// finish sees through what the engine has sent to issuers and not stored
// yet (a refresh's rotated token, a sign-in's tokens) before the process
// ends, saying so on stderr.
func finish(engine *auth.Engine) {
	ctx, cancel := context.WithTimeout(context.Background(), engine.CloseTimeout())
	defer cancel()
	err := engine.Close(ctx, func(ops []auth.Pending) {
		fmt.Fprintf(os.Stderr, "tokentray: finishing the %s… (press Ctrl-C again to quit at once)\n", text.Pending(ops))
	})
	if err != nil {
		fmt.Fprintf(os.Stderr, "tokentray: gave up waiting after %v\n", engine.CloseTimeout())
	}
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
