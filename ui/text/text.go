// Package text is user-facing wording shared by the command line and the GUI.
// It imports no fyne, so ui/cli can use it.
package text

import (
	"errors"
	"fmt"
	"strconv"
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

// Span words a long stretch of time, such as a refresh token's lifetime,
// in its largest unit: "6 days", "1 day", "5 h", "40 min"; days to the
// nearest.
func Span(d time.Duration) string {
	// Days to the nearest: 4 days 23 h is "5 days".
	switch days := int((d + 12*time.Hour) / (24 * time.Hour)); {
	case days >= 2:
		return fmt.Sprintf("%d days", days)
	case d >= 24*time.Hour:
		return "1 day"
	case d >= time.Hour:
		return fmt.Sprintf("%d h", int(d.Hours()))
	}
	return Duration(d)
}

// SignInAgain says when a profile's refresh token runs out: "sign in again
// in 6 days", or "sign in again now" once that time has passed.
func SignInAgain(by, now time.Time) string {
	if !by.After(now) {
		return "sign in again now"
	}
	return "sign in again in " + Span(by.Sub(now))
}

// ParseSpan reads a lifetime as users write it: Go's durations ("720h",
// "90m") or whole days ("30d"); "0" or "" is none.
func ParseSpan(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if s == "" || s == "0" {
		return 0, nil
	}
	if n, ok := strings.CutSuffix(s, "d"); ok {
		days, err := strconv.Atoi(strings.TrimSpace(n))
		if err != nil || days < 0 {
			return 0, fmt.Errorf("invalid lifetime %q: use whole days (30d) or a duration (12h)", s)
		}
		return time.Duration(days) * 24 * time.Hour, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return 0, fmt.Errorf("invalid lifetime %q: use whole days (30d) or a duration (12h)", s)
	}
	return d, nil
}
