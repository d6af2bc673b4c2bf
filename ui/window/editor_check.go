package window

// Reading and checking the editor's form: every field is checked as it is
// typed, with the engine's own rules, and its message shown under it.

import (
	"errors"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"github.com/tokentray/tokentray/auth"
	"github.com/tokentray/tokentray/ui/session"
	"github.com/tokentray/tokentray/ui/text"
)

// profile is the form's content, unvalidated.
func (e *editor) profile() auth.Profile {
	p := auth.Profile{
		Name:         strings.TrimSpace(e.name.Text),
		ClientID:     e.clientID.Text,
		ClientSecret: e.clientSecret.Text,
		Audience:     e.audience.Text,
		Scope:        e.scope.Text,
		CAFile:       e.caFile.Text,
	}
	p.CallbackPort, _ = parsePort(e.callbackPort.Text)
	if e.prompt.Selected != PromptDefault {
		p.Prompt = e.prompt.Selected
	}
	p.Params, _ = parseParams(e.params.Text)
	p.RefreshLifetime, _ = text.ParseSpan(e.lifetime.Text)
	p.RefreshIdle, _ = text.ParseSpan(e.idle.Text)
	p.KeepSignedIn = e.keepSignedIn.Checked
	if e.grant.Selected == GrantClientCredentials {
		p.Grant = auth.GrantClientCredentials
		p.CallbackPort, p.Prompt = 0, ""                               // no sign-in
		p.RefreshLifetime, p.RefreshIdle, p.KeepSignedIn = 0, 0, false // no refresh token
	}
	switch e.kind.Selected {
	case KindIssuer:
		p.Issuer = e.where.Text
	case KindTokenURL:
		p.TokenURL = e.where.Text
	default:
		p.Domain = e.where.Text
	}
	switch e.method.Selected {
	case MethodPost:
		p.AuthMethod = auth.AuthPost
	case MethodBasic:
		p.AuthMethod = auth.AuthBasic
	case MethodNone:
		p.AuthMethod = auth.AuthNone
	}
	return p
}

// validate checks every field, shows the messages of the fields the user
// has filled in (all of them once Save was pressed) and returns the
// normalised profile and whether it can be saved.
func (e *editor) validate() (auth.Profile, bool) {
	p := e.profile()
	setMsg(e.formMsg, "")
	show := func(l *widget.Label, filled bool, text string) {
		if !filled && !e.tried {
			text = ""
		}
		setMsg(l, text)
	}
	ok := true
	fail := func(l *widget.Label, filled bool, err error) {
		ok = false
		show(l, filled, session.Sentence(err.Error()))
	}

	// Name.
	switch err := auth.ValidateName(p.Name); {
	case err != nil:
		fail(e.nameMsg, p.Name != "", err)
	case e.editing == "" && e.exists != nil && e.exists(p.Name):
		fail(e.nameMsg, true, errors.New("a profile named "+p.Name+" exists already: choose another name"))
	default:
		setMsg(e.nameMsg, "")
	}

	// Where.
	where := strings.TrimSpace(e.where.Text)
	e.whereHint.SetText("")
	var err error
	switch e.kind.Selected {
	case KindIssuer:
		// Kept as typed: the issuer's discovery document says which form
		// it uses, and either is accepted.
		_, err = auth.CheckURL("issuer", where)
	case KindTokenURL:
		_, err = auth.CheckURL("token URL", where)
	default:
		var d string
		d, err = auth.NormalizeDomain(where)
		if err == nil && d != where {
			e.whereHint.SetText("Saved as " + d)
		}
	}
	if where == "" {
		err = errors.New(strings.ToLower(e.kind.Selected) + " is required")
	}
	if err != nil {
		fail(e.whereMsg, where != "", err)
	} else {
		setMsg(e.whereMsg, "")
	}

	// Client ID.
	if strings.TrimSpace(p.ClientID) == "" {
		fail(e.clientIDMsg, false, errors.New("client ID is required"))
	} else {
		setMsg(e.clientIDMsg, "")
	}

	// Secret versus method, worded for this form rather than the CLI's flags.
	secret := p.ClientSecret != ""
	switch {
	case (p.AuthMethod == auth.AuthPost || p.AuthMethod == auth.AuthBasic) && !secret:
		fail(e.secretMsg, true, errors.New("this authentication method needs the client secret: enter it, or choose "+MethodNone))
	case p.AuthMethod == auth.AuthNone && secret:
		fail(e.secretMsg, true, errors.New("a public client has no secret: clear it, or choose "+MethodPost))
	case p.Machine() && (!secret || p.AuthMethod == auth.AuthNone):
		fail(e.secretMsg, true, errors.New("client credentials need the application's client secret"))
	default:
		setMsg(e.secretMsg, "")
	}

	// Callback port.
	if port, err := parsePort(e.callbackPort.Text); err != nil {
		fail(e.callbackMsg, true, err)
		e.callbackHint.SetText("")
	} else {
		setMsg(e.callbackMsg, "")
		e.callbackHint.SetText(callbackHint(port))
	}
	setEnabled(e.signInBtn, e.kind.Selected != KindTokenURL && !p.Machine())
	// What only a sign-in uses.
	for _, w := range []fyne.Disableable{e.callbackPort, e.prompt, e.lifetime, e.idle, e.keepSignedIn, e.refreshToken} {
		if p.Machine() {
			w.Disable()
		} else {
			w.Enable()
		}
	}

	// Refresh token lifetimes.
	_, errL := text.ParseSpan(e.lifetime.Text)
	_, errI := text.ParseSpan(e.idle.Text)
	if err := errors.Join(errL, errI); err != nil {
		fail(e.lifetimeMsg, true, err)
	} else {
		setMsg(e.lifetimeMsg, "")
	}

	// Extra parameters.
	if _, err := parseParams(e.params.Text); err != nil {
		fail(e.paramsMsg, true, err)
	} else {
		setMsg(e.paramsMsg, "")
	}

	// Whatever else the engine would refuse.
	np, err := p.Normalize()
	if err != nil && ok {
		ok = false
		setMsg(e.formMsg, session.Sentence(err.Error()))
	}
	e.whereHint.Hidden = e.whereHint.Text == ""
	e.whereHint.Refresh()
	return np, ok
}

// parseParams reads one key=value per line; blank lines are skipped. A key
// tokentray sets itself is refused here, under the field, with the setting
// to use instead.
func parseParams(text string) (map[string]string, error) {
	var params map[string]string
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		k = strings.TrimSpace(k)
		if !ok || k == "" {
			return params, errors.New("write each parameter as key=value on a line of its own: " + line)
		}
		if setting, reserved := auth.ReservedParam(k); reserved {
			if setting != "" {
				return params, errors.New(k + " is set by tokentray itself: use the " + setting + " field")
			}
			return params, errors.New(k + " is a protocol field tokentray sets itself")
		}
		if _, dup := params[k]; dup {
			return params, errors.New(k + " is given twice")
		}
		if strings.TrimSpace(v) == "" {
			continue // key= means no such parameter
		}
		if params == nil {
			params = map[string]string{}
		}
		params[k] = strings.TrimSpace(v)
	}
	return params, nil
}

func msg() *widget.Label {
	l := widget.NewLabel("")
	l.Importance = widget.DangerImportance
	l.Wrapping = fyne.TextWrapWord
	l.SizeName = theme.SizeNameCaptionText
	l.Hide()
	return l
}

func setMsg(l *widget.Label, text string) {
	l.SetText(text)
	if text == "" {
		l.Hide()
	} else {
		l.Show()
	}
}
