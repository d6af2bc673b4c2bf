package window

import (
	"fmt"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"github.com/tokentray/tokentray/auth"
	"github.com/tokentray/tokentray/ui/session"
	"github.com/tokentray/tokentray/ui/state"
	"github.com/tokentray/tokentray/ui/text"
	"github.com/tokentray/tokentray/ui/widgets"
)

// Labels of the inspector's buttons.
const (
	LabelReveal = "Reveal"
	LabelHide   = "Hide"
	LabelCopy   = "Copy"
	LabelEdit   = "Edit…"
	LabelDelete = "Delete…"
)

// Titles of the ID token's claims: verified when the token came from a
// sign-in (signature, issuer, audience, expiry and nonce checked), not after a
// refresh.
const (
	IDClaimsVerified   = "ID token claims — signature verified at sign-in"
	IDClaimsUnverified = "ID token claims — decoded, NOT verified"
)

// inspector shows the selected profile's token as it is cached (no
// network): scopes, audience, issuer, subject, expiry, issued-at, every
// decoded claim of the access and ID tokens (the access token's never
// verified, the ID token's verified when it came from a sign-in), the raw
// token masked until Reveal, and the last error in full. Its buttons refresh
// and copy, sign in, sign out, edit and delete.
type inspector struct {
	clock auth.Clock
	row   session.Row

	title     *widget.Label
	where     *widget.Label
	countdown *widgets.Countdown
	problem   *widget.Label
	errFull   *widget.Label
	errBox    *fyne.Container

	scopes   *widgets.Chips
	audience *widget.Label
	issuer   *widget.Label
	subject  *widget.Label
	kind     *widget.Label
	expiry   *widget.Label
	issued   *widget.Label
	signInBy *widget.Label // when the refresh token runs out

	raw      *widget.Label
	revealed bool
	reveal   *widget.Button
	copyBtn  *widget.Button

	claims   *fyne.Container // form layout: name, value, ...
	idClaims *fyne.Container
	idTitle  *widget.Label

	refresh *widget.Button
	signIn  *widget.Button
	signOut *widget.Button
	edit    *widget.Button
	del     *widget.Button

	content fyne.CanvasObject

	onRefreshCopy func(name string)
	onCopy        func(name string, what session.What)
	onEdit        func(name string)
	onDelete      func(name string)
	onSignIn      func(name string)
	onSignOut     func(name string)
}

func newInspector(clock auth.Clock) *inspector {
	i := &inspector{clock: clock}
	i.title = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	i.title.SizeName = theme.SizeNameSubHeadingText
	i.where = wrapped("")
	i.countdown = widgets.NewCountdown(clock)
	i.problem = wrapped("")
	i.problem.Importance = widget.DangerImportance
	i.errFull = wrapped("")
	i.errFull.Selectable = true
	i.errFull.SizeName = theme.SizeNameCaptionText
	i.errBox = container.NewVBox(i.problem, i.errFull)

	i.scopes = widgets.NewChips()
	i.audience, i.issuer, i.subject = wrapped(""), wrapped(""), wrapped("")
	i.kind, i.expiry, i.issued, i.signInBy = wrapped(""), wrapped(""), wrapped(""), wrapped("")
	for _, l := range []*widget.Label{i.audience, i.issuer, i.subject} {
		l.Selectable = true
	}

	i.raw = widget.NewLabel("")
	i.raw.Wrapping = fyne.TextWrapBreak
	i.raw.TextStyle = fyne.TextStyle{Monospace: true}
	i.reveal = widget.NewButtonWithIcon(LabelReveal, theme.VisibilityIcon(), i.toggleReveal)
	i.copyBtn = widget.NewButtonWithIcon(LabelCopy, theme.ContentCopyIcon(), func() {
		if i.onCopy != nil {
			i.onCopy(i.row.Name(), session.AccessToken)
		}
	})

	i.claims = container.New(layout.NewFormLayout())
	i.idClaims = container.New(layout.NewFormLayout())
	i.idTitle = heading(IDClaimsUnverified)

	i.refresh = widget.NewButtonWithIcon(LabelRefreshCopy, theme.ViewRefreshIcon(), func() {
		if i.onRefreshCopy != nil {
			i.onRefreshCopy(i.row.Name())
		}
	})
	i.refresh.Importance = widget.HighImportance
	i.signIn = widget.NewButtonWithIcon(LabelSignIn, theme.LoginIcon(), func() {
		if i.onSignIn != nil {
			i.onSignIn(i.row.Name())
		}
	})
	i.signOut = widget.NewButtonWithIcon(LabelSignOut, theme.LogoutIcon(), func() {
		if i.onSignOut != nil {
			i.onSignOut(i.row.Name())
		}
	})
	i.edit = widget.NewButtonWithIcon(LabelEdit, theme.DocumentCreateIcon(), func() {
		if i.onEdit != nil {
			i.onEdit(i.row.Name())
		}
	})
	i.del = widget.NewButtonWithIcon(LabelDelete, theme.DeleteIcon(), func() {
		if i.onDelete != nil {
			i.onDelete(i.row.Name())
		}
	})

	summary := container.New(layout.NewFormLayout(),
		key("Scopes"), i.scopes,
		key("Audience"), i.audience,
		key("Issuer"), i.issuer,
		key("Subject"), i.subject,
		key("Token"), i.kind,
		key("Expires"), i.expiry,
		key("Issued"), i.issued,
		key("Sign in again"), i.signInBy,
	)
	raw := container.NewBorder(nil, nil, nil, container.NewVBox(i.reveal, i.copyBtn), i.raw)
	head := container.NewBorder(nil, nil, nil, container.NewVBox(container.NewPadded(i.countdown)), container.NewVBox(i.title, i.where))
	i.content = container.NewVScroll(container.NewVBox(
		head,
		container.NewHBox(i.refresh, i.signIn, i.signOut, layout.NewSpacer(), i.edit, i.del),
		i.errBox,
		widget.NewSeparator(),
		summary,
		widget.NewSeparator(),
		heading("Access token"),
		raw,
		heading("Access token claims — decoded, NOT verified"),
		i.claims,
		i.idTitle,
		i.idClaims,
	))
	return i
}

func wrapped(s string) *widget.Label {
	l := widget.NewLabel(s)
	l.Wrapping = fyne.TextWrapWord
	return l
}

func key(s string) *widget.Label {
	l := widget.NewLabelWithStyle(s, fyne.TextAlignTrailing, fyne.TextStyle{Bold: true})
	return l
}

func heading(s string) *widget.Label {
	l := widget.NewLabelWithStyle(s, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	return l
}

// show displays r. The raw token goes back to masked when the profile or
// its access token changes: Reveal shows the token the user looked at, never
// its successor.
func (i *inspector) show(r session.Row) {
	if r.Name() != i.row.Name() || r.Status.Token.AccessToken != i.row.Status.Token.AccessToken {
		i.revealed = false
	}
	i.row = r
	now := i.clock()
	t := r.Status.Token
	p := r.Status.Profile

	i.title.SetText(p.Name)
	where := p.Where()
	if p.ClientID != "" {
		where += " · client " + p.ClientID
	}
	i.where.SetText(where)
	i.countdown.Set(r.Subject)

	if err := r.LastErr(); err != nil {
		i.problem.SetText(session.Problem(err))
		i.errFull.SetText(err.Error())
		i.errBox.Show()
	} else {
		i.errBox.Hide()
	}

	at := auth.Decode(t.AccessToken)
	id := auth.Decode(t.IDToken)
	scopes := at.Scopes()
	if len(scopes) == 0 {
		scopes = t.Scopes()
	}
	i.scopes.SetItems(scopes)
	aud := at.Audience()
	if len(aud) == 0 && p.Audience != "" {
		aud = []string{p.Audience + " (requested)"}
	}
	i.audience.SetText(orDash(strings.Join(aud, ", ")))
	i.issuer.SetText(orDash(first(at.Issuer(), id.Issuer())))
	i.subject.SetText(orDash(first(at.Subject(), id.Subject())))
	i.kind.SetText(kindText(t, at.Kind))
	i.expiry.SetText(expiryText(t.Expiry, now))
	issued := at.IssuedAt()
	if issued.IsZero() {
		issued = t.ObtainedAt
	}
	i.issued.SetText(timeText(issued))
	i.signInBy.SetText(signInText(r.Status, now))

	fillClaims(i.claims, at)
	if t.IDToken == "" {
		i.idTitle.Hide()
		i.idClaims.Hide()
	} else {
		fillClaims(i.idClaims, id)
		if t.IDTokenVerified {
			i.idTitle.SetText(IDClaimsVerified)
		} else {
			i.idTitle.SetText(IDClaimsUnverified)
		}
		i.idTitle.Show()
		i.idClaims.Show()
	}
	i.showRaw()
	has := t.AccessToken != ""
	setEnabled(i.reveal, has)
	setEnabled(i.copyBtn, has)

	// The way forward is highlighted: signing in when that is what is
	// needed, otherwise Refresh & copy.
	signedIn := r.Status.HasRefreshToken
	setEnabled(i.signIn, r.CanSignIn())
	setEnabled(i.signOut, signedIn)
	if r.Subject.State(now) == state.SignIn && r.CanSignIn() {
		i.signIn.Importance, i.refresh.Importance = widget.HighImportance, widget.MediumImportance
	} else {
		i.signIn.Importance, i.refresh.Importance = widget.MediumImportance, widget.HighImportance
	}
	i.signIn.Refresh()
	i.refresh.Refresh()
}

// tick updates what depends on the time: the countdown and the relative
// expiry.
func (i *inspector) tick() {
	i.countdown.Refresh()
	i.expiry.SetText(expiryText(i.row.Status.Token.Expiry, i.clock()))
	i.signInBy.SetText(signInText(i.row.Status, i.clock()))
}

// signInText says when the profile's refresh token runs out, as far as is
// known.
func signInText(st auth.Status, now time.Time) string {
	switch {
	case st.Profile.Machine():
		return "never (client credentials)"
	case st.SignInBy.IsZero():
		return "—"
	}
	return timeText(st.SignInBy) + " (" + text.SignInAgain(st.SignInBy, now) + ")"
}

func setEnabled(b *widget.Button, on bool) {
	if on {
		b.Enable()
	} else {
		b.Disable()
	}
}

// conceal masks the raw token again.
func (i *inspector) conceal() {
	i.revealed = false
	i.showRaw()
}

func (i *inspector) toggleReveal() {
	i.revealed = !i.revealed
	i.showRaw()
}

func (i *inspector) showRaw() {
	t := i.row.Status.Token.AccessToken
	switch {
	case t == "":
		i.raw.Wrapping = fyne.TextWrapWord
		i.raw.SetText("No access token cached yet: Refresh & copy gets one.")
	case i.revealed:
		i.raw.Wrapping = fyne.TextWrapBreak
		i.raw.SetText(t)
	default:
		i.raw.Wrapping = fyne.TextWrapOff
		i.raw.SetText(mask(t))
	}
	if i.revealed {
		i.reveal.SetText(LabelHide)
		i.reveal.SetIcon(theme.VisibilityOffIcon())
	} else {
		i.reveal.SetText(LabelReveal)
		i.reveal.SetIcon(theme.VisibilityIcon())
	}
}

// mask hides a token entirely, telling only its length.
func mask(token string) string {
	return strings.Repeat("•", 16) + fmt.Sprintf("  %d characters", len(token))
}

func fillClaims(c *fyne.Container, d auth.Decoded) {
	c.Objects = c.Objects[:0]
	switch d.Kind {
	case auth.KindOpaque:
		c.Objects = append(c.Objects, widget.NewLabel(""), wrapped("Opaque token: only the issuer can read it (Auth0 issues these when no audience is set)."))
	case auth.KindEncrypted:
		c.Objects = append(c.Objects, widget.NewLabel(""), wrapped("Encrypted token (JWE): only its audience can read the claims."))
	}
	names := d.ClaimNames()
	for _, k := range names[:min(len(names), maxClaims)] {
		v := wrapped(formatClaim(d, k))
		v.Selectable = true
		c.Objects = append(c.Objects, widget.NewLabelWithStyle(k, fyne.TextAlignTrailing, fyne.TextStyle{Monospace: true}), v)
	}
	if more := len(names) - maxClaims; more > 0 {
		c.Objects = append(c.Objects, widget.NewLabel(""), wrapped(fmt.Sprintf("… and %d more claims: `tokentray inspect` lists them all.", more)))
	}
	c.Refresh()
}

// maxClaims bounds the claims shown, two widgets each: a token (pasted,
// perhaps hostile) with thousands would make the window crawl.
const maxClaims = 200

// formatClaim is auth.Decoded.FormatClaim with the times written as the
// window writes them (timeLayout).
func formatClaim(d auth.Decoded, k string) string { return d.FormatClaimWith(k, timeLayout) }

func kindText(t auth.Token, k auth.TokenKind) string {
	if t.AccessToken == "" {
		return "none cached"
	}
	switch k {
	case auth.KindJWT:
		return t.Type() + ", JWT (signature not verified)"
	case auth.KindEncrypted:
		return t.Type() + ", encrypted (JWE)"
	}
	return t.Type() + ", opaque"
}

func expiryText(exp, now time.Time) string {
	if exp.IsZero() {
		return "—"
	}
	return fmt.Sprintf("%s (%s)", timeText(exp), text.Relative(exp.Sub(now)))
}

// timeLayout is how the window writes a date and time.
const timeLayout = "Mon 2 Jan 2006 15:04:05 MST"

func timeText(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.Local().Format(timeLayout)
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

func first(s ...string) string {
	for _, x := range s {
		if x != "" {
			return x
		}
	}
	return ""
}
