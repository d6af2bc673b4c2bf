package display

import "fmt"

// NeedsSession words Check's error for the user: what is missing, and that
// the command line works anyway.
func NeedsSession(err error) error {
	return fmt.Errorf("the tray app needs a graphical session, and %v; the command line works without one: tokentray --help", err)
}
