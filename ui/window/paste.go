package window

import (
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"github.com/tokentray/tokentray/auth"
	"github.com/tokentray/tokentray/ui/session"
)

// Labels of the "Inspect a token…" dialog.
const (
	LabelInspectToken  = "Inspect a token…"
	LabelFromClipboard = "Paste from clipboard"
	LabelVerify        = "Verify signature"
)

// pasted is the "Inspect a token…" dialog: any token — a customer's, one
// from a log — pasted or taken from the clipboard, decoded as the inspector
// decodes a profile's, and on request checked against its issuer's keys.
// The token stays masked and is never stored.
type pasted struct {
	session *session.Session
	clock   auth.Clock

	entry                                           *widget.Entry
	paste, verify                                   *widget.Button
	kind, scopes, audience, issuer, subject, expiry *widget.Label
	header, verdict                                 *widget.Label
	claims                                          *fyne.Container
	content                                         fyne.CanvasObject
}

func newPasted(s *session.Session, clock auth.Clock) *pasted {
	p := &pasted{session: s, clock: clock}
	p.entry = widget.NewPasswordEntry()
	p.entry.SetPlaceHolder("paste a token (JWT, JWE or opaque)")
	p.entry.OnChanged = func(string) { p.show() }
	p.paste = widget.NewButtonWithIcon(LabelFromClipboard, theme.ContentPasteIcon(), func() {
		s.PasteClipboard(func(text string, err error) {
			if err != nil {
				p.verdict.SetText("Could not read the clipboard: " + err.Error())
				return
			}
			p.entry.SetText(strings.TrimSpace(text))
		})
	})
	p.verify = widget.NewButtonWithIcon(LabelVerify, theme.ConfirmIcon(), p.check)
	p.kind, p.scopes, p.audience, p.issuer, p.subject, p.expiry, p.header = wrapped(""), wrapped(""), wrapped(""), wrapped(""), wrapped(""), wrapped(""), wrapped("")
	p.verdict = wrapped("")
	p.claims = container.New(layout.NewFormLayout())
	form := container.New(layout.NewFormLayout(),
		key("Kind"), p.kind,
		key("Scopes"), p.scopes,
		key("Audience"), p.audience,
		key("Issuer"), p.issuer,
		key("Subject"), p.subject,
		key("Expires"), p.expiry,
		key("Header"), p.header,
		key("Signature"), p.verdict,
	)
	p.content = container.NewBorder(
		container.NewVBox(p.entry, container.NewHBox(p.paste, layout.NewSpacer(), p.verify)), nil, nil, nil,
		container.NewVScroll(container.NewVBox(form, heading("Claims"), p.claims)))
	p.show()
	return p
}

// raw is the token as pasted, without an "Authorization: Bearer" prefix.
func (p *pasted) raw() string { return auth.BareToken(p.entry.Text) }

// show decodes what is in the entry.
func (p *pasted) show() {
	raw := p.raw()
	d := auth.Decode(raw)
	p.verdict.SetText("")
	setEnabled(p.verify, raw != "" && d.Kind == auth.KindJWT)
	if raw == "" {
		for _, l := range []*widget.Label{p.kind, p.scopes, p.audience, p.issuer, p.subject, p.expiry, p.header} {
			l.SetText("—")
		}
		fillClaims(p.claims, auth.Decoded{})
		return
	}
	switch d.Kind {
	case auth.KindJWT:
		p.kind.SetText("JWT (signature not verified)")
	case auth.KindEncrypted:
		p.kind.SetText("encrypted (JWE)")
	default:
		p.kind.SetText("opaque")
	}
	p.scopes.SetText(orDash(strings.Join(d.Scopes(), " ")))
	p.audience.SetText(orDash(strings.Join(d.Audience(), " ")))
	p.issuer.SetText(orDash(d.Issuer()))
	p.subject.SetText(orDash(d.Subject()))
	p.expiry.SetText(expiryText(d.Expiry(), p.clock()))
	var hs []string
	for _, k := range []string{"alg", "kid", "typ"} {
		if v, ok := d.Header[k].(string); ok && v != "" {
			hs = append(hs, k+" "+v)
		}
	}
	p.header.SetText(orDash(strings.Join(hs, ", ")))
	fillClaims(p.claims, d)
}

// check verifies the signature off the UI goroutine.
func (p *pasted) check() {
	raw := p.raw()
	p.verdict.SetText("Checking against the issuer's keys…")
	p.verify.Disable()
	p.session.Verify(raw, func(v auth.Verification, err error) {
		setEnabled(p.verify, p.raw() != "" && auth.Decode(p.raw()).Kind == auth.KindJWT)
		if raw != p.raw() {
			return // the token changed meanwhile
		}
		if err != nil {
			p.verdict.SetText("Not valid: " + err.Error())
			return
		}
		text := "Valid (" + v.Algorithm
		if v.KeyID != "" {
			text += ", kid " + v.KeyID
		}
		p.verdict.SetText(text + ", issuer " + v.Issuer + ")")
	})
}

// InspectToken opens the "Inspect a token…" dialog.
func (m *Main) InspectToken() {
	p := newPasted(m.session, m.clock)
	d := dialog.NewCustom("Inspect a token", "Close", p.content, m.win)
	d.Resize(fyne.NewSize(640, 560))
	// The pasted token is forgotten with the dialog.
	d.SetOnClosed(func() {
		p.entry.SetText("")
		if m.pasted == p {
			m.pasted = nil
		}
	})
	m.pasted = p
	d.Show()
}
