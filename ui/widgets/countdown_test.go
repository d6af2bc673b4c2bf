package widgets_test

import (
	"image/color"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"github.com/stretchr/testify/require"
	"github.com/tokentray/tokentray/auth"
	"github.com/tokentray/tokentray/auth/authtest"
	"github.com/tokentray/tokentray/ui/state"
	"github.com/tokentray/tokentray/ui/widgets"
)

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// token is a cached token obtained at obtained and expiring at expiry.
func token(obtained, expiry time.Time) auth.Token {
	return auth.Token{AccessToken: "at", TokenType: "Bearer", ObtainedAt: obtained, Expiry: expiry}
}

// rendered returns what the countdown draws: its text and the fill bar.
func rendered(t *testing.T, c *widgets.Countdown) (*canvas.Text, *canvas.Rectangle) {
	t.Helper()
	var text *canvas.Text
	var rects []*canvas.Rectangle
	for _, o := range test.WidgetRenderer(c).Objects() {
		switch o := o.(type) {
		case *canvas.Text:
			text = o
		case *canvas.Rectangle:
			rects = append(rects, o)
		}
	}
	require.NotNil(t, text)
	require.Len(t, rects, 2, "a bar background and its fill")
	return text, rects[1]
}

func colour(name fyne.ThemeColorName) color.Color { return theme.Color(name) }

func TestCountdownTextAndColourAcrossStates(t *testing.T) {
	test.NewTempApp(t)
	hour := token(t0, t0.Add(time.Hour))
	for _, tc := range []struct {
		name   string
		status auth.Status
		err    error
		at     time.Time
		text   string
		colour fyne.ThemeColorName
	}{
		{"just obtained", auth.Status{Token: hour, HasRefreshToken: true}, nil, t0, "1:00:00", theme.ColorNameSuccess},
		{"hours left", auth.Status{Token: token(t0, t0.Add(10*time.Hour+2*time.Minute+3*time.Second)), HasRefreshToken: true}, nil, t0, "10:02:03", theme.ColorNameSuccess},
		{"exactly 5 min left is still fresh", auth.Status{Token: hour, HasRefreshToken: true}, nil, t0.Add(55 * time.Minute), "0:05:00", theme.ColorNameSuccess},
		{"4:59 left is soon", auth.Status{Token: hour, HasRefreshToken: true}, nil, t0.Add(55*time.Minute + time.Second), "0:04:59", theme.ColorNameWarning},
		{"last second", auth.Status{Token: hour, HasRefreshToken: true}, nil, t0.Add(time.Hour - time.Second), "0:00:01", theme.ColorNameWarning},
		{"expiry instant is expired", auth.Status{Token: hour, HasRefreshToken: true}, nil, t0.Add(time.Hour), "expired", theme.ColorNamePlaceHolder},
		{"long expired", auth.Status{Token: hour, HasRefreshToken: true}, nil, t0.Add(48 * time.Hour), "expired", theme.ColorNamePlaceHolder},
		{"no token yet", auth.Status{HasRefreshToken: true}, nil, t0, "no token yet", theme.ColorNamePlaceHolder},
		{"no expiry", auth.Status{Token: auth.Token{AccessToken: "at"}, HasRefreshToken: true}, nil, t0, "no expiry", theme.ColorNameSuccess},
		{"no refresh token, token still valid", auth.Status{Token: hour}, nil, t0.Add(10 * time.Minute), "0:50:00", theme.ColorNameSuccess},
		{"no refresh token, expired", auth.Status{Token: hour}, nil, t0.Add(2 * time.Hour), "sign in needed", theme.ColorNamePrimary},
		{"no refresh token, no token", auth.Status{}, nil, t0, "sign in needed", theme.ColorNamePrimary},
		{"refresh token rejected", auth.Status{Token: hour, HasRefreshToken: true}, &auth.OAuthError{Status: 400, Code: "invalid_grant"}, t0, "sign in needed", theme.ColorNamePrimary},
		{"keychain locked", auth.Status{Err: auth.ErrKeychainLocked}, nil, t0, "error", theme.ColorNameError},
		{"issuer down", auth.Status{Token: hour, HasRefreshToken: true}, &auth.ResponseError{Status: 502, Problem: "not JSON"}, t0.Add(2 * time.Hour), "error", theme.ColorNameError},
	} {
		t.Run(tc.name, func(t *testing.T) {
			clock := authtest.NewClock(tc.at)
			c := widgets.NewCountdown(clock.Now)
			c.Set(state.SubjectOf(tc.status, tc.err))
			text, _ := rendered(t, c)
			require.Equal(t, tc.text, text.Text)
			require.Equal(t, colour(tc.colour), text.Color)
		})
	}
}

func TestCountdownTicksAcrossTheFiveMinuteBoundary(t *testing.T) {
	test.NewTempApp(t)
	clock := authtest.NewClock(t0.Add(54*time.Minute + 59*time.Second))
	c := widgets.NewCountdown(clock.Now)
	c.Set(state.SubjectOf(auth.Status{Token: token(t0, t0.Add(time.Hour)), HasRefreshToken: true}, nil))
	w := test.NewWindow(c)
	defer w.Close()

	text, fill := rendered(t, c)
	require.Equal(t, "0:05:01", text.Text)
	require.Equal(t, colour(theme.ColorNameSuccess), text.Color)
	require.Equal(t, colour(theme.ColorNameSuccess), fill.FillColor)

	for _, want := range []string{"0:05:00", "0:04:59"} {
		clock.Advance(time.Second)
		c.Refresh()
		require.Equal(t, want, text.Text)
	}
	require.Equal(t, colour(theme.ColorNameWarning), text.Color)
	require.Equal(t, colour(theme.ColorNameWarning), fill.FillColor)

	clock.Advance(4*time.Minute + 59*time.Second)
	c.Refresh()
	require.Equal(t, "expired", text.Text)
	require.Equal(t, colour(theme.ColorNamePlaceHolder), text.Color)
}

func TestCountdownBarIsRemainingLifetime(t *testing.T) {
	test.NewTempApp(t)
	clock := authtest.NewClock(t0)
	c := widgets.NewCountdown(clock.Now)
	c.Set(state.SubjectOf(auth.Status{Token: token(t0.Add(-30*time.Minute), t0.Add(30*time.Minute)), HasRefreshToken: true}, nil))
	c.Resize(fyne.NewSize(200, c.MinSize().Height))
	_, fill := rendered(t, c)
	require.InDelta(t, 100, fill.Size().Width, 0.01, "half the lifetime left: half the bar")

	clock.Advance(15 * time.Minute)
	c.Refresh()
	require.InDelta(t, 50, fill.Size().Width, 0.01)

	clock.Advance(time.Hour)
	c.Refresh()
	require.Zero(t, fill.Size().Width, "expired: empty bar")
}

func TestStateColoursDiffer(t *testing.T) {
	test.NewTempApp(t)
	seen := map[color.Color]state.State{}
	for _, s := range []state.State{state.Fresh, state.Soon, state.Expired, state.SignIn, state.Error} {
		c := colour(widgets.StateColor(s))
		prev, dup := seen[c]
		require.False(t, dup, "%v and %v share a colour", prev, s)
		seen[c] = s
	}
}
