package window

import (
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"github.com/tokentray/tokentray/auth"
	"github.com/tokentray/tokentray/ui/session"
)

// Sign-in and sign-out labels.
const (
	LabelSignIn      = "Sign in…"
	LabelSaveSignIn  = "Save & sign in…"
	LabelSignOut     = "Sign out…"
	LabelCopyCode    = "Copy code"
	LabelOpenPage    = "Open"
	LabelOpenAgain   = "Open again"
	LabelCopyLink    = "Copy link"
	LabelUseCode     = "Sign in with a code instead"
	LabelClose       = "Close"
	LabelTryAgain    = "Try again"
	LabelRemoveLocal = "Remove locally anyway"
	LabelKeepTokens  = "Keep the tokens"
)

// SignInTitle is the sign-in dialog's title for a profile.
func SignInTitle(name string) string { return "Sign in to " + name }

// signInDialog shows one running sign-in. For the browser: where to finish
// it, the page to open again or copy, the callback URL tokentray listens on,
// and a switch to the device sign-in. For the device: the user code in large
// type, the verification URI, Copy and Open. Both have a live status line
// (with the code's time left, ticking) and Cancel; once the sign-in ended,
// Close and, after a failure, Try again.
type signInDialog struct {
	session *session.Session
	clock   auth.Clock
	name    string
	device  bool

	signIn  *session.SignIn
	authURL string
	code    auth.DeviceCode
	ended   bool

	intro       *widget.Label // what to do
	codeLabel   *widget.Label // the user code, large (device)
	page        *widget.Label // the verification URI (device) or the callback URL (browser)
	status      *widget.Label
	copyBtn     *widget.Button // the code, or the sign-in link
	openBtn     *widget.Button // the verification page, or the sign-in page again
	switchBtn   *widget.Button // browser only: use the device sign-in instead
	cancelBtn   *widget.Button // Cancel, then Close
	tryAgainBtn *widget.Button

	actions *fyne.Container // Copy and Open
	sep     *widget.Separator
	dlg     *dialog.CustomDialog

	onDone    func(session.SignInResult)
	onRestart func(device bool) // Try again, or the switch to the device
}

func newSignInDialog(s *session.Session, clock auth.Clock, name string, device bool, win fyne.Window) *signInDialog {
	d := &signInDialog{session: s, clock: clock, name: name, device: device}
	d.intro = wrapped("")
	d.codeLabel = widget.NewLabelWithStyle("", fyne.TextAlignCenter, fyne.TextStyle{Bold: true})
	d.codeLabel.SizeName = theme.SizeNameHeadingText
	d.codeLabel.Selectable = true
	d.page = wrapped("")
	d.page.Selectable = true
	d.status = wrapped("")
	d.copyBtn = widget.NewButtonWithIcon(LabelCopyLink, theme.ContentCopyIcon(), d.copy)
	d.openBtn = widget.NewButtonWithIcon(LabelOpenAgain, theme.ComputerIcon(), d.open)
	d.switchBtn = widget.NewButton(LabelUseCode, func() {
		d.close()
		if d.onRestart != nil {
			d.onRestart(true)
		}
	})
	d.cancelBtn = widget.NewButton(LabelCancel, d.close)
	d.tryAgainBtn = widget.NewButtonWithIcon(LabelTryAgain, theme.ViewRefreshIcon(), func() {
		d.close()
		if d.onRestart != nil {
			d.onRestart(d.device)
		}
	})
	d.tryAgainBtn.Importance = widget.HighImportance
	d.tryAgainBtn.Hide()

	if device {
		d.copyBtn.SetText(LabelCopyCode)
		d.openBtn.SetText(LabelOpenPage)
		d.switchBtn.Hide()
		d.intro.SetText("Asking the issuer for a code…")
	} else {
		d.codeLabel.Hide()
		d.intro.SetText("Opening the issuer's sign-in page in your browser…")
	}
	d.page.Hide()
	d.copyBtn.Disable()
	d.openBtn.Disable()
	d.status.SetText("Starting…")

	d.actions = container.NewHBox(layout.NewSpacer(), d.copyBtn, d.openBtn, layout.NewSpacer())
	d.sep = widget.NewSeparator()
	content := container.NewVBox(
		d.intro,
		d.page,
		d.codeLabel,
		d.actions,
		d.sep,
		d.status,
	)
	d.dlg = dialog.NewCustomWithoutButtons(SignInTitle(name), content, win)
	d.dlg.SetButtons([]fyne.CanvasObject{d.switchBtn, d.cancelBtn, d.tryAgainBtn})
	d.dlg.Resize(fyne.NewSize(520, 0))
	return d
}

// start shows the dialog and starts the sign-in.
func (d *signInDialog) start() {
	d.dlg.Show()
	d.signIn = d.session.StartSignIn(d.name, d.device, session.SignInEvents{
		Browser: d.browser,
		Code:    d.showCode,
		Done:    d.done,
	})
}

func (d *signInDialog) browser(authURL string, openErr error) {
	if d.ended {
		return
	}
	d.authURL = authURL
	d.copyBtn.Enable()
	d.openBtn.Enable()
	if openErr != nil {
		d.intro.SetText("No browser could be opened (" + openErr.Error() + "): copy the link to the sign-in page into your browser.")
	} else {
		d.intro.SetText("Finish signing in to " + d.name + " in your browser. If no page opened, open it again or copy the link.")
	}
	if u, err := url.Parse(authURL); err == nil {
		if cb := u.Query().Get("redirect_uri"); cb != "" {
			d.page.SetText("The issuer sends you back to " + cb + ".")
			d.page.Show()
		}
	}
	d.status.SetText("Waiting for the browser…")
	d.relayout()
}

func (d *signInDialog) showCode(c auth.DeviceCode) {
	if d.ended {
		return
	}
	d.code = c
	d.intro.SetText("On any device, open this page and enter the code:")
	d.codeLabel.SetText(c.UserCode)
	d.page.Alignment = fyne.TextAlignCenter
	d.page.SetText(c.VerificationURI)
	d.page.Show()
	d.copyBtn.Enable()
	d.openBtn.Enable()
	d.tick()
	d.relayout()
}

// tick updates the time left of a device code.
func (d *signInDialog) tick() {
	if d.ended || d.code.UserCode == "" {
		return
	}
	left := d.code.ExpiresAt.Sub(d.clock()).Round(time.Second)
	if left < 0 {
		left = 0
	}
	d.status.SetText(fmt.Sprintf("Waiting for approval… %d:%02d left", int(left.Minutes()), int(left.Seconds())%60))
}

func (d *signInDialog) done(res session.SignInResult) {
	if res.Cancelled() && d.ended {
		// Closed by the user: the dialog is gone already.
		if d.onDone != nil {
			d.onDone(res)
		}
		return
	}
	d.ended = true
	d.status.SetText(res.Message)
	if res.Err == nil {
		d.status.Importance = widget.SuccessImportance
	} else {
		d.status.Importance = widget.DangerImportance
		d.tryAgainBtn.Show()
	}
	d.status.Refresh()
	// What to do no longer applies: only the outcome stays.
	for _, o := range []fyne.CanvasObject{d.intro, d.page, d.codeLabel, d.actions, d.sep, d.switchBtn} {
		o.Hide()
	}
	d.cancelBtn.SetText(LabelClose)
	d.relayout()
	if d.onDone != nil {
		d.onDone(res)
	}
}

// relayout fits the dialog to its content after texts changed or parts
// appeared: a pop-up does not follow its content's size by itself.
func (d *signInDialog) relayout() { d.dlg.Refresh() }

// close cancels a running sign-in and hides the dialog.
func (d *signInDialog) close() {
	if !d.ended {
		d.ended = true
		if d.signIn != nil {
			d.signIn.Cancel()
		}
	}
	d.dlg.Hide()
}

// target is what Copy and Open act on.
func (d *signInDialog) target() (copyText, page string) {
	if d.device {
		page = d.code.VerificationURIComplete
		if page == "" {
			page = d.code.VerificationURI
		}
		return d.code.UserCode, page
	}
	return d.authURL, d.authURL
}

func (d *signInDialog) copyWhat() string {
	if d.device {
		return "code"
	}
	return "link"
}

func (d *signInDialog) copy() {
	text, _ := d.target()
	what := d.copyWhat()
	d.session.CopyText(text, func(err error) {
		if d.ended {
			return
		}
		if err != nil {
			d.status.SetText("Could not copy the " + what + ". " + session.Problem(err))
			return
		}
		if d.device {
			d.status.SetText("Code copied.")
		} else {
			d.status.SetText("Link copied: paste it into your browser. Waiting for the browser…")
		}
	})
}

func (d *signInDialog) open() {
	_, page := d.target()
	d.session.Open(page, func(err error) {
		switch {
		case err == nil || d.ended:
		case d.device:
			d.status.SetText("Could not open a browser (" + err.Error() + "): open the address above by hand.")
		default:
			d.status.SetText("Could not open a browser (" + err.Error() + "): copy the link into your browser instead.")
		}
	})
}

// parsePort reads the callback port field: empty or 0 for any free port,
// else 1024 to 65535 (below are privileged ports a desktop app cannot bind).
func parsePort(s string) (int, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0, errors.New("callback port must be a number: 1024 to 65535, or empty for any free port")
	}
	if n != 0 && (n < 1024 || n > 65535) {
		return 0, fmt.Errorf("callback port %d is out of range: use 1024 to 65535, or empty for any free port", n)
	}
	return n, nil
}

// callbackHint is what the editor says about the browser sign-in's
// redirect URL: the exact one to register when the port is fixed.
func callbackHint(port int) string {
	if port == 0 {
		return "A free port for each sign-in: http://127.0.0.1:<port>/callback. Fix one if the issuer matches callback URLs exactly (Auth0)."
	}
	return "Allowed Callback URLs: " + auth.CallbackURL(port)
}

// SignIn selects the named profile and signs in to its issuer, in the
// browser or, with device, with a code, in a dialog. A sign-in still
// running is cancelled first.
func (m *Main) SignIn(name string, device bool) {
	if m.exists(name) {
		m.Inspect(name)
	}
	if m.signIn != nil {
		m.signIn.close()
	}
	d := newSignInDialog(m.session, m.clock, name, device, m.win)
	d.onDone = func(res session.SignInResult) {
		// A sign-in replaced by a newer one (the switch to a device code)
		// must not overwrite the newer one's status.
		if m.signIn == d {
			m.SetStatus(res.Message)
		}
	}
	d.onRestart = func(device bool) { m.SignIn(name, device) }
	m.signIn = d
	m.SetStatus("")
	d.start()
}
