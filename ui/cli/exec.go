package cli

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"strings"

	"github.com/spf13/cobra"
	"github.com/tokentray/tokentray/auth"
)

// The variables exec sets for the command it runs.
const (
	EnvAccessToken = "ACCESS_TOKEN"
	EnvIDToken     = "ID_TOKEN"
)

// exitStatus is a command's own exit code, passed on as tokentray's
// without a message (see execCmd).
type exitStatus struct{ code int }

func (e *exitStatus) Error() string { return fmt.Sprintf("exit status %d", e.code) }

func (a *App) execCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "exec NAME -- COMMAND [ARG...]",
		Short: "Run a command with a valid access token in $ACCESS_TOKEN",
		Long: `Runs COMMAND with ACCESS_TOKEN set to a valid access token of profile NAME, and
ID_TOKEN to its ID token when there is one (unset otherwise), so the token reaches
the program without passing through a shell's history or the process list.
COMMAND gets stdin, stdout, stderr and signals as if started directly, and its
exit code is tokentray's. It never opens a browser: a profile that needs a
sign-in fails with exit 3 and the command that signs in.`,
		Example: `  tokentray exec dev -- sh -c 'curl -H "Authorization: Bearer $ACCESS_TOKEN" https://api.example.com/things'
  tokentray exec dev -- ./integration-tests --against staging`,
		Args: func(_ *cobra.Command, args []string) error {
			// After NAME nothing is parsed, so a "--" there is still in args.
			if len(args) < 2 || (args[1] == "--" && len(args) < 3) {
				return usagef("exec needs a profile and a command: tokentray exec NAME -- COMMAND [ARG...]")
			}
			return nil
		},
		ValidArgsFunction: func(c *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
			if len(args) == 0 {
				return a.completeProfiles(c, args, toComplete)
			}
			return nil, cobra.ShellCompDirectiveDefault
		},
		RunE: func(c *cobra.Command, args []string) error {
			name, argv := args[0], args[1:]
			if argv[0] == "--" {
				argv = argv[1:]
			}
			t, err := a.Engine.Token(c.Context(), name, auth.TokenOptions{IDToken: true}) // ID_TOKEN too, when there is one
			if err != nil {
				return withHint(err, name)
			}
			env := withoutVars(os.Environ(), EnvAccessToken, EnvIDToken)
			env = append(env, EnvAccessToken+"="+t.AccessToken)
			if t.IDToken != "" {
				env = append(env, EnvIDToken+"="+t.IDToken)
			}
			path, err := exec.LookPath(argv[0])
			if err != nil {
				// Not found on PATH, or ./missing: the shell's 127.
				if errors.Is(err, exec.ErrNotFound) || errors.Is(err, fs.ErrNotExist) {
					return &commandError{code: 127, err: fmt.Errorf("%s: command not found", argv[0])}
				}
				return &commandError{code: 126, err: err}
			}
			if err := c.Context().Err(); err != nil {
				return err // interrupted while getting the token: run nothing
			}
			if a.Exec != nil {
				err := a.Exec(path, argv, env)
				return &commandError{code: 126, err: fmt.Errorf("run %s: %w", argv[0], err)}
			}
			return a.runChild(path, argv, env)
		},
	}
	// Everything after NAME belongs to the command, flags included.
	c.Flags().SetInterspersed(false)
	return c
}

// runChild runs the command as a child (where a process cannot be
// replaced) and passes its exit code on.
func (a *App) runChild(path string, argv, env []string) error {
	cmd := exec.Command(path, argv[1:]...)
	cmd.Args[0] = argv[0]
	cmd.Env = env
	cmd.Stdin, cmd.Stdout, cmd.Stderr = a.Stdin, a.Stdout, a.Stderr
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &ee) && ee.ExitCode() >= 0:
		return &exitStatus{code: ee.ExitCode()}
	case errors.As(err, &ee):
		return &exitStatus{code: 128 + signalNumber(ee)}
	}
	return &commandError{code: 126, err: fmt.Errorf("run %s: %w", argv[0], err)}
}

// commandError is a command that could not be run: the shell's exit codes,
// 127 when it is not found, 126 otherwise.
type commandError struct {
	code int
	err  error
}

func (e *commandError) Error() string { return e.err.Error() }
func (e *commandError) Unwrap() error { return e.err }

// withoutVars drops names from env, so a stale token from the caller's
// environment never reaches the command.
func withoutVars(env []string, names ...string) []string {
	out := env[:0:0]
	for _, kv := range env {
		name, _, _ := strings.Cut(kv, "=")
		drop := false
		for _, n := range names {
			drop = drop || name == n
		}
		if !drop {
			out = append(out, kv)
		}
	}
	return out
}
