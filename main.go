// Command tokentray keeps OAuth 2.0 / OpenID Connect refresh tokens in the OS
// keychain and hands out fresh access tokens from the system tray or the
// command line. This is the command line; without arguments it starts the
// tray app, which lives in an executable of its own (cmd/tokentray-gui) so
// that a script's `tokentray token dev` never loads a GUI toolkit. main only
// wires the concrete parts together: the keychain store, the file lock, the
// engine and the CLI.
//
// A command-line call lives for milliseconds: it has no use for the
// goroutine (one more thread to start) with which Go re-checks the CPU
// limit every second. The limit itself is still read at start, and a
// container's limit still caps GOMAXPROCS: fewer threads to start.
//
//go:debug updatemaxprocs=0
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"sync/atomic"
	"syscall"

	"github.com/tokentray/tokentray/auth/keychain"
	"github.com/tokentray/tokentray/ui/browser"
	"github.com/tokentray/tokentray/ui/cli"
	"github.com/tokentray/tokentray/ui/clipboard"
	"github.com/tokentray/tokentray/ui/shutdown"
	"golang.org/x/term"
)

func main() {
	os.Exit(run())
}

func run() int {
	if len(os.Args) > 1 && os.Args[1] == clipboard.HelperCommand {
		// Not a command: the detached helper of an earlier `token --copy`,
		// serving the token on the clipboard (see ui/clipboard).
		return clipboard.HelperMain(os.Args[2:], os.Stdin, os.Stdout)
	}
	if len(os.Args) == 1 {
		if err := startGUI(nil); err != nil {
			fmt.Fprintf(os.Stderr, "tokentray: %v\n", err)
			return cli.ExitError
		}
		return cli.ExitOK
	}
	engine, err := keychain.NewEngine(keychain.Service())
	if err != nil {
		fmt.Fprintf(os.Stderr, "tokentray: %v\n", err)
		return cli.ExitError
	}

	app := &cli.App{
		Engine:      engine,
		Clipboard:   clipboard.Command{},
		Stdin:       os.Stdin,
		Stdout:      os.Stdout,
		Stderr:      os.Stderr,
		Terminal:    func() bool { return term.IsTerminal(int(os.Stdin.Fd())) },
		ReadHidden:  func() (string, error) { b, err := term.ReadPassword(int(os.Stdin.Fd())); return string(b), err },
		OpenBrowser: browser.Open,
		StartGUI:    startGUI,
		GUIPath:     guiPath,
		Exec:        replaceProcess,
	}
	// A cached token is answered first, before signals are caught: it
	// changes nothing, so a Ctrl-C has nothing to cut short.
	if code, ok := app.RunCached(os.Args[1:]); ok {
		return code
	}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var got atomic.Value // the os.Signal that interrupted the command
	sigs := make(chan os.Signal, 1)
	// SIGHUP too: a closed terminal or a dropped ssh session must not cut
	// a refresh short either. A signal this process was started ignoring
	// (nohup's SIGHUP, a background job's SIGINT) stays ignored: catching it
	// would also undo the ignoring for the command `tokentray exec` runs.
	var caught []os.Signal
	for _, s := range []os.Signal{os.Interrupt, syscall.SIGTERM, syscall.SIGHUP} {
		if !signal.Ignored(s) {
			caught = append(caught, s)
		}
	}
	if len(caught) > 0 { // Notify without signals would catch every one
		signal.Notify(sigs, caught...)
	}
	go func() {
		s := <-sigs
		// A second Ctrl-C is not caught: it ends the process at once, as
		// users expect when they really mean it.
		signal.Reset(caught...)
		got.Store(s)
		cancel()
	}()
	code := app.Run(ctx, os.Args[1:])
	shutdown.Finish(engine, os.Stderr)
	if s, ok := got.Load().(syscall.Signal); ok && code != cli.ExitOK {
		// Cut short by the signal: the shell's convention, 130 for Ctrl-C,
		// 143 for SIGTERM, 129 for SIGHUP.
		return 128 + int(s)
	}
	return code
}
