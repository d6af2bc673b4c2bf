package window

import (
	"errors"
	"maps"
	"slices"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"github.com/tokentray/tokentray/auth"
	"github.com/tokentray/tokentray/ui/session"
)

// Where a profile gets its tokens, as offered in the editor.
const (
	KindDomain   = "Auth0 domain"
	KindIssuer   = "OIDC issuer"
	KindTokenURL = "Token URL"
)

// Authentication methods, as offered in the editor.
const (
	MethodAuto  = "Automatic (post with a secret, none without)"
	MethodPost  = "client_secret_post"
	MethodBasic = "client_secret_basic"
	MethodNone  = "none (public client)"
)

// Editor labels.
const (
	LabelSave   = "Save"
	LabelCancel = "Cancel"
	// PromptDefault is the editor's choice for a profile without a prompt
	// of its own (see auth.Profile.LoginPrompt).
	PromptDefault = "Default (consent for an OIDC issuer, none for Auth0)"
)

// Editor adds and edits profiles. Every field is checked as it is typed
// with the same rules the engine applies (auth.Profile.Normalize), and the
// message appears under the field. The client secret and the refresh token
// are masked. The callback port shows the exact redirect URL to register at
// the issuer; "Save & sign in…" saves and then signs in in the browser, and a
// refresh token obtained elsewhere can still be pasted instead.
type Editor struct {
	editing string                 // the profile being edited, "" when adding
	exists  func(name string) bool // whether a profile of that name exists

	Name         *widget.Entry
	Kind         *widget.RadioGroup
	Where        *widget.Entry
	ClientID     *widget.Entry
	ClientSecret *widget.Entry
	Method       *widget.Select
	Audience     *widget.Entry
	Scope        *widget.Entry
	CAFile       *widget.Entry
	CallbackPort *widget.Entry
	Prompt       *widget.Select
	Params       *widget.Entry // one key=value per line
	RefreshToken *widget.Entry

	// Messages under the fields, empty when the field is fine.
	NameMsg, WhereMsg, ClientIDMsg, SecretMsg, CallbackMsg, ParamsMsg, FormMsg *widget.Label
	// WhereHint shows the normalised domain or URL.
	WhereHint *widget.Label
	// CallbackHint shows the redirect URL to register at the issuer.
	CallbackHint *widget.Label

	title  *widget.Label
	Save   *widget.Button
	SignIn *widget.Button // save, then sign in in the browser
	cancel *widget.Button
	tried  bool // Save was pressed once: show every message

	content fyne.CanvasObject

	onSave   func(p auth.Profile, refreshToken string, adding bool)
	onSignIn func(p auth.Profile, refreshToken string, adding bool)
	onCancel func()
}

func newEditor(exists func(string) bool) *Editor {
	e := &Editor{exists: exists}
	e.title = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	e.title.SizeName = theme.SizeNameSubHeadingText

	e.Name = widget.NewEntry()
	e.Name.SetPlaceHolder("dev")
	e.Kind = widget.NewRadioGroup([]string{KindDomain, KindIssuer, KindTokenURL}, nil)
	e.Kind.Horizontal = true
	e.Kind.Required = true
	e.Where = widget.NewEntry()
	e.ClientID = widget.NewEntry()
	e.ClientSecret = widget.NewPasswordEntry()
	e.ClientSecret.SetPlaceHolder("empty for a public client")
	e.Method = widget.NewSelect([]string{MethodAuto, MethodPost, MethodBasic, MethodNone}, nil)
	e.Audience = widget.NewEntry()
	e.Audience.SetPlaceHolder("https://api.example.com (Auth0 API identifier, optional)")
	e.Scope = widget.NewEntry()
	e.Scope.SetPlaceHolder("optional, e.g. openid offline_access read:things")
	e.CAFile = widget.NewEntry()
	e.CAFile.SetPlaceHolder("optional PEM file trusted in addition to the system roots")
	e.CallbackPort = widget.NewEntry()
	e.CallbackPort.SetPlaceHolder("empty: any free port for each sign-in")
	e.Prompt = widget.NewSelect(append([]string{PromptDefault}, auth.Prompts...), nil)
	e.Params = widget.NewMultiLineEntry()
	e.Params.SetPlaceHolder("optional, one per line: organization=org_123")
	e.Params.SetMinRowsVisible(2)
	e.RefreshToken = widget.NewPasswordEntry()

	e.NameMsg, e.WhereMsg, e.ClientIDMsg, e.SecretMsg, e.CallbackMsg, e.ParamsMsg, e.FormMsg = msg(), msg(), msg(), msg(), msg(), msg(), msg()
	e.WhereHint = widget.NewLabel("")
	e.WhereHint.SizeName = theme.SizeNameCaptionText
	e.WhereHint.Importance = widget.LowImportance
	e.CallbackHint = widget.NewLabel("")
	e.CallbackHint.SizeName = theme.SizeNameCaptionText
	e.CallbackHint.Wrapping = fyne.TextWrapWord
	e.CallbackHint.Selectable = true

	for _, en := range []*widget.Entry{e.Name, e.Where, e.ClientID, e.ClientSecret, e.Audience, e.Scope, e.CAFile, e.CallbackPort, e.Params, e.RefreshToken} {
		en.OnChanged = func(string) { e.Validate() }
	}
	e.Prompt.OnChanged = func(string) { e.Validate() }
	e.Kind.OnChanged = func(string) {
		e.setWherePlaceholder()
		e.Validate()
	}
	e.Method.OnChanged = func(string) { e.Validate() }

	e.Save = widget.NewButtonWithIcon(LabelSave, theme.DocumentSaveIcon(), e.save)
	e.Save.Importance = widget.HighImportance
	e.SignIn = widget.NewButtonWithIcon(LabelSaveSignIn, theme.LoginIcon(), e.saveAndSignIn)
	e.cancel = widget.NewButton(LabelCancel, func() {
		if e.onCancel != nil {
			e.onCancel()
		}
	})

	form := container.New(layout.NewFormLayout(),
		key("Name"), container.NewVBox(e.Name, e.NameMsg),
		key("Tokens from"), e.Kind,
		widget.NewLabel(""), container.NewVBox(e.Where, e.WhereHint, e.WhereMsg),
		key("Client ID"), container.NewVBox(e.ClientID, e.ClientIDMsg),
		key("Client secret"), container.NewVBox(e.ClientSecret, e.SecretMsg),
		key("Authentication"), e.Method,
		key("Audience"), e.Audience,
		key("Scope"), e.Scope,
		key("CA file"), e.CAFile,
		key("Callback port"), container.NewVBox(e.CallbackPort, e.CallbackHint, e.CallbackMsg),
		key("Sign-in prompt"), e.Prompt,
		key("Extra parameters"), container.NewVBox(e.Params, e.ParamsMsg),
		key("Refresh token"), e.RefreshToken,
	)
	e.content = container.NewVScroll(container.NewVBox(
		e.title,
		form,
		e.FormMsg,
		container.NewHBox(layout.NewSpacer(), e.cancel, e.SignIn, e.Save),
	))
	return e
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

func (e *Editor) setWherePlaceholder() {
	switch e.Kind.Selected {
	case KindIssuer:
		e.Where.SetPlaceHolder("https://issuer.example.com")
	case KindTokenURL:
		e.Where.SetPlaceHolder("https://issuer.example.com/oauth2/token")
	default:
		e.Where.SetPlaceHolder("acme.eu.auth0.com")
	}
}

// Add clears the form for a new profile.
func (e *Editor) Add() {
	e.fill(auth.Profile{}, "")
	e.title.SetText("Add profile")
}

// Edit loads p into the form. The name cannot change.
func (e *Editor) Edit(p auth.Profile) {
	e.fill(p, p.Name)
	e.title.SetText("Edit " + p.Name)
}

func (e *Editor) fill(p auth.Profile, editing string) {
	e.editing = editing
	e.tried = false
	e.Name.SetText(p.Name)
	if editing != "" {
		e.Name.Disable()
	} else {
		e.Name.Enable()
	}
	switch {
	case p.Issuer != "":
		e.Kind.SetSelected(KindIssuer)
		e.Where.SetText(p.Issuer)
	case p.TokenURL != "":
		e.Kind.SetSelected(KindTokenURL)
		e.Where.SetText(p.TokenURL)
	default:
		e.Kind.SetSelected(KindDomain)
		e.Where.SetText(p.Domain)
	}
	e.ClientID.SetText(p.ClientID)
	e.ClientSecret.SetText(p.ClientSecret)
	switch p.AuthMethod {
	case auth.AuthPost:
		e.Method.SetSelected(MethodPost)
	case auth.AuthBasic:
		e.Method.SetSelected(MethodBasic)
	case auth.AuthNone:
		e.Method.SetSelected(MethodNone)
	default:
		e.Method.SetSelected(MethodAuto)
	}
	e.Audience.SetText(p.Audience)
	e.Scope.SetText(p.Scope)
	e.CAFile.SetText(p.CAFile)
	e.CallbackPort.SetText("")
	if p.CallbackPort != 0 {
		e.CallbackPort.SetText(strconv.Itoa(p.CallbackPort))
	}
	// A combination set on the command line ("login consent") is offered
	// too, so that saving keeps it.
	e.Prompt.SetOptions(append([]string{PromptDefault}, auth.Prompts...))
	if p.Prompt != "" && !slices.Contains(e.Prompt.Options, p.Prompt) {
		e.Prompt.SetOptions(append(e.Prompt.Options, p.Prompt))
	}
	if p.Prompt == "" {
		e.Prompt.SetSelected(PromptDefault)
	} else {
		e.Prompt.SetSelected(p.Prompt)
	}
	var lines []string
	for _, k := range slices.Sorted(maps.Keys(p.Params)) {
		lines = append(lines, k+"="+p.Params[k])
	}
	e.Params.SetText(strings.Join(lines, "\n"))
	e.RefreshToken.SetText("")
	e.RefreshToken.SetPlaceHolder("optional: paste a refresh token instead of signing in")
	setMsg(e.FormMsg, "")
	e.Validate()
}

// profile is the form's content, unvalidated.
func (e *Editor) profile() auth.Profile {
	p := auth.Profile{
		Name:         strings.TrimSpace(e.Name.Text),
		ClientID:     e.ClientID.Text,
		ClientSecret: e.ClientSecret.Text,
		Audience:     e.Audience.Text,
		Scope:        e.Scope.Text,
		CAFile:       e.CAFile.Text,
	}
	p.CallbackPort, _ = parsePort(e.CallbackPort.Text)
	if e.Prompt.Selected != PromptDefault {
		p.Prompt = e.Prompt.Selected
	}
	p.Params, _ = parseParams(e.Params.Text)
	switch e.Kind.Selected {
	case KindIssuer:
		p.Issuer = e.Where.Text
	case KindTokenURL:
		p.TokenURL = e.Where.Text
	default:
		p.Domain = e.Where.Text
	}
	switch e.Method.Selected {
	case MethodPost:
		p.AuthMethod = auth.AuthPost
	case MethodBasic:
		p.AuthMethod = auth.AuthBasic
	case MethodNone:
		p.AuthMethod = auth.AuthNone
	}
	return p
}

// Validate checks every field, shows the messages of the fields the user
// has filled in (all of them once Save was pressed) and returns the
// normalised profile and whether it can be saved.
func (e *Editor) Validate() (auth.Profile, bool) {
	p := e.profile()
	setMsg(e.FormMsg, "")
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
		fail(e.NameMsg, p.Name != "", err)
	case e.editing == "" && e.exists != nil && e.exists(p.Name):
		fail(e.NameMsg, true, errors.New("a profile named "+p.Name+" exists already: choose another name"))
	default:
		setMsg(e.NameMsg, "")
	}

	// Where.
	where := strings.TrimSpace(e.Where.Text)
	e.WhereHint.SetText("")
	var err error
	switch e.Kind.Selected {
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
			e.WhereHint.SetText("Saved as " + d)
		}
	}
	if where == "" {
		err = errors.New(strings.ToLower(e.Kind.Selected) + " is required")
	}
	if err != nil {
		fail(e.WhereMsg, where != "", err)
	} else {
		setMsg(e.WhereMsg, "")
	}

	// Client ID.
	if strings.TrimSpace(p.ClientID) == "" {
		fail(e.ClientIDMsg, false, errors.New("client ID is required"))
	} else {
		setMsg(e.ClientIDMsg, "")
	}

	// Secret versus method, worded for this form rather than the CLI's flags.
	secret := p.ClientSecret != ""
	switch {
	case (p.AuthMethod == auth.AuthPost || p.AuthMethod == auth.AuthBasic) && !secret:
		fail(e.SecretMsg, true, errors.New("this authentication method needs the client secret: enter it, or choose "+MethodNone))
	case p.AuthMethod == auth.AuthNone && secret:
		fail(e.SecretMsg, true, errors.New("a public client has no secret: clear it, or choose "+MethodPost))
	default:
		setMsg(e.SecretMsg, "")
	}

	// Callback port.
	if port, err := parsePort(e.CallbackPort.Text); err != nil {
		fail(e.CallbackMsg, true, err)
		e.CallbackHint.SetText("")
	} else {
		setMsg(e.CallbackMsg, "")
		e.CallbackHint.SetText(callbackHint(port))
	}
	setEnabled(e.SignIn, e.Kind.Selected != KindTokenURL)

	// Extra parameters.
	if _, err := parseParams(e.Params.Text); err != nil {
		fail(e.ParamsMsg, true, err)
	} else {
		setMsg(e.ParamsMsg, "")
	}

	// Whatever else the engine would refuse.
	np, err := p.Normalize()
	if err != nil && ok {
		ok = false
		setMsg(e.FormMsg, session.Sentence(err.Error()))
	}
	e.WhereHint.Hidden = e.WhereHint.Text == ""
	e.WhereHint.Refresh()
	return np, ok
}

func (e *Editor) save() { e.submit(e.onSave) }

func (e *Editor) saveAndSignIn() { e.submit(e.onSignIn) }

func (e *Editor) submit(then func(p auth.Profile, refreshToken string, adding bool)) {
	e.tried = true
	p, ok := e.Validate()
	if !ok {
		setMsg(e.FormMsg, "Fix the fields marked above, then save again.")
		return
	}
	setMsg(e.FormMsg, "")
	if then != nil {
		then(p, strings.TrimSpace(e.RefreshToken.Text), e.editing == "")
	}
}

// failed shows why saving did not (fully) work.
func (e *Editor) failed(res session.SaveResult) {
	if errors.Is(res.Err, auth.ErrExists) {
		setMsg(e.NameMsg, "A profile named "+strings.TrimSpace(e.Name.Text)+" exists already: choose another name.")
	}
	setMsg(e.FormMsg, res.Message)
}
