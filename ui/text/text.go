// Package text is user-facing wording shared by the command line and the GUI.
// It imports no fyne, so ui/cli can use it.
package text

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/tokentray/tokentray/auth"
)

// Duration formats a remaining time coarsely: "42 s", "59 min", "1 h 05 min".
// Partial units are dropped: a token "valid 59 min" is never valid for less.
func Duration(d time.Duration) string {
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%d s", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%d min", int(d.Minutes()))
	}
	h := int(d.Hours())
	return fmt.Sprintf("%d h %02d min", h, int(d.Minutes())-60*h)
}

// Relative says when a token expires, left from now: "in 42 min", or
// "expired 3 min ago" once nothing is left.
func Relative(left time.Duration) string {
	if left <= 0 {
		return "expired " + Duration(-left) + " ago"
	}
	return "in " + Duration(left)
}

// NoIDToken is the error for an ID token asked of a profile whose issuer
// sent none.
func NoIDToken(name string) error {
	return errors.New("no ID token for " + name + ": the issuer sends one only when the openid scope was granted at sign-in")
}

// Pending names what a quitting tokentray still waits for, grouped by
// operation in the order given: "refresh of dev", "refresh of dev and prod
// and sign-in of test".
func Pending(ops []auth.Pending) string {
	var order []string
	names := map[string][]string{}
	for _, p := range ops {
		if _, ok := names[p.Op]; !ok {
			order = append(order, p.Op)
		}
		names[p.Op] = append(names[p.Op], p.Name)
	}
	parts := make([]string, 0, len(order))
	for _, op := range order {
		parts = append(parts, op+" of "+strings.Join(names[op], " and "))
	}
	return strings.Join(parts, " and ")
}
