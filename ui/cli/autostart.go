package cli

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"
	"github.com/tokentray/tokentray/ui/autostart"
)

// autostartCmd is `tokentray autostart on|off|status`: start the tray app,
// hidden, when you log in.
func (a *App) autostartCmd() *cobra.Command {
	return &cobra.Command{
		Use:       "autostart on|off|status",
		Short:     "Start the tray app (hidden) when you log in, or stop doing so",
		Long:      "Start the tray app, hidden in the tray, when you log in: an XDG autostart entry on Linux, the Run key on Windows, a LaunchAgent on macOS. The window's settings have the same switch.",
		Args:      cobra.ExactArgs(1),
		ValidArgs: []cobra.Completion{"on", "off", "status"},
		RunE: func(_ *cobra.Command, args []string) error {
			switch args[0] {
			case "on":
				if a.GUIPath == nil {
					return errors.New("no tray app in this build")
				}
				gui, err := a.GUIPath()
				if err != nil {
					return err
				}
				if err := autostart.Enable(gui); err != nil {
					return err
				}
				fmt.Fprintf(a.Stderr, "tokentray will start in the tray when you log in (%s).\n", autostart.Location())
			case "off":
				if err := autostart.Disable(); err != nil {
					return err
				}
				fmt.Fprintln(a.Stderr, "tokentray will not start when you log in.")
			case "status":
				on, err := autostart.Enabled()
				if err != nil {
					return err
				}
				state := "off"
				if on {
					state = "on"
				}
				fmt.Fprintln(a.Stdout, state)
			default:
				return usagef("autostart takes on, off or status, not %q", args[0])
			}
			return nil
		},
	}
}
