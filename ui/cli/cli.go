// Package cli is tokentray's command line: the same Engine as the tray app,
// driven by cobra commands for people testing APIs by hand or from scripts.
// It never imports fyne, so it stays fast and testable without a display.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"
	"github.com/tokentray/tokentray/auth"
	"github.com/tokentray/tokentray/internal/version"
)

// Exit codes, part of the scripting contract documented in the README.
const (
	ExitOK        = 0
	ExitError     = 1
	ExitUsage     = 2
	ExitNeedLogin = 3 // no refresh token, or the issuer rejected it
	ExitTemporary = 4 // rate limited, issuer down, timeout: retry later
)

// Clipboard is where `token --copy` puts the token: it takes it off again
// after clearAfter if the clipboard still holds it (0 keeps it).
type Clipboard interface {
	Copy(text string, clearAfter time.Duration) error
}

// App is the command line. Its fields are its dependencies.
type App struct {
	Engine    *auth.Engine
	Clipboard Clipboard
	Stdin     io.Reader
	Stdout    io.Writer
	Stderr    io.Writer
	// Terminal reports whether Stdin is an interactive terminal, and ReadHidden
	// reads one line from it without echo (for secrets). Nil: never a terminal.
	Terminal   func() bool
	ReadHidden func() (string, error)
	// OpenBrowser shows a sign-in page (ui/browser.Open in production).
	// Nil: only print the address.
	OpenBrowser func(url string) error
	// StartGUI runs the tray app (an executable of its own) with args, in
	// place of this process; `tokentray demo` uses it. Nil: no tray app.
	StartGUI func(args []string) error
	// GUIPath finds the tray app's executable (for `tokentray autostart`).
	GUIPath func() (string, error)
	// Exec runs the program at path with argv and env in place of this
	// process, as execve does, for `tokentray exec`; it returns only when
	// it could not. Nil: the program runs as a child and its exit code
	// becomes tokentray's (Windows, and tests).
	Exec func(path string, argv, env []string) error
}

// A *usageError marks a mistake in how the command was called (exit 2).
// Not struct{ error } (gh's cmdutil.FlagError notes the same): only the
// pointer satisfies error, so errors.As has one type to look for.
type usageError struct{ err error }

func (e *usageError) Error() string { return e.err.Error() }
func (e *usageError) Unwrap() error { return e.err }

// asUsage marks err as a usage error.
func asUsage(err error) error { return &usageError{err} }

func usagef(format string, a ...any) error { return asUsage(fmt.Errorf(format, a...)) }

// Run executes args (without the program name) and returns the exit code.
func (a *App) Run(ctx context.Context, args []string) int {
	root := a.root()
	root.SetArgs(args)
	root.SetIn(a.Stdin)
	root.SetOut(a.Stdout)
	root.SetErr(a.Stderr)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return ExitOK
	}
	if ctx.Err() != nil && errors.Is(err, context.Canceled) {
		// Interrupted (Ctrl-C): "context canceled" would read as a fault.
		fmt.Fprintln(a.Stderr, "tokentray: interrupted")
		return ExitError
	}
	var es *exitStatus
	if errors.As(err, &es) {
		return es.code // the command's own; it spoke for itself
	}
	fmt.Fprintf(a.Stderr, "tokentray: %v\n", err)
	return exitCode(err)
}

func exitCode(err error) int {
	var ue *usageError
	var ce *commandError
	switch {
	case errors.As(err, &ce):
		return ce.code
	case errors.As(err, &ue):
		return ExitUsage
	case errors.Is(err, auth.ErrNeedsLogin):
		return ExitNeedLogin
	case errors.Is(err, auth.ErrTemporary), errors.Is(err, auth.ErrKeychainTimeout):
		return ExitTemporary
	}
	return ExitError
}

// Command is the whole command tree, for generated documentation (man
// pages); running it needs the App's dependencies.
func (a *App) Command() *cobra.Command { return a.root() }

func (a *App) root() *cobra.Command {
	var margin time.Duration
	root := &cobra.Command{
		Use:   "tokentray",
		Short: "Fresh OAuth 2.0 / OIDC access tokens from refresh tokens kept in the OS keychain",
		Long: `tokentray keeps OAuth client profiles and their refresh tokens in the OS keychain
and hands out valid access tokens: the cached one while it is valid, a refreshed
one otherwise. Without arguments it starts the tray app.`,
		Version:       version.String(),
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			if cmd.Flags().Changed("margin") {
				if margin < 0 {
					return usagef("--margin must not be negative")
				}
				a.Engine.SetMargin(margin)
			}
			return nil
		},
	}
	root.PersistentFlags().DurationVar(&margin, "margin", auth.DefaultMargin, "refresh when the cached token has less than this left")
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return asUsage(err) })
	root.SetVersionTemplate("tokentray {{.Version}}\n")
	root.AddCommand(a.profileCmd(), a.loginCmd(), a.logoutCmd(), a.tokenCmd(), a.inspectCmd(), a.execCmd(), a.demoCmd(), a.versionCmd(), a.autostartCmd())
	// Unknown commands and wrong argument counts are usage errors too.
	wrapArgs(root)
	return root
}

// wrapArgs turns cobra's argument validation errors into usage errors.
func wrapArgs(c *cobra.Command) {
	for _, sub := range c.Commands() {
		wrapArgs(sub)
	}
	if c.HasSubCommands() && c.Run == nil && c.RunE == nil {
		// A group called with an unknown subcommand is a usage error, not help.
		c.Args = cobra.NoArgs
		c.RunE = func(cmd *cobra.Command, _ []string) error { return cmd.Help() }
	}
	if c.Args == nil {
		return
	}
	orig := c.Args
	c.Args = func(cmd *cobra.Command, args []string) error {
		if err := orig(cmd, args); err != nil {
			return asUsage(err)
		}
		return nil
	}
}

// completeProfiles offers profile names for shell completion.
func (a *App) completeProfiles(cmd *cobra.Command, args []string, _ string) ([]cobra.Completion, cobra.ShellCompDirective) {
	if len(args) > 0 {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	ctx, cancel := context.WithTimeout(cmd.Context(), 3*time.Second)
	defer cancel()
	names, err := a.Engine.Names(ctx)
	if err != nil {
		return nil, cobra.ShellCompDirectiveError
	}
	return names, cobra.ShellCompDirectiveNoFileComp
}
