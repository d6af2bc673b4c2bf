package window

import (
	"errors"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

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

// Where a profile's tokens come from, as offered in the editor.
const (
	GrantSignIn            = "Sign-in"
	GrantClientCredentials = "Client credentials (machine to machine)"
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

// editor adds and edits profiles. Every field is checked as it is typed
// with the same rules the engine applies (auth.Profile.Normalize), and the
// message appears under the field. The client secret and the refresh token
// are masked. The callback port shows the exact redirect URL to register at
// the issuer; "Save & sign in…" saves and then signs in in the browser, and a
// refresh token obtained elsewhere can still be pasted instead.
type editor struct {
	editing string                 // the profile being edited, "" when adding
	exists  func(name string) bool // whether a profile of that name exists

	name         *widget.Entry
	grant        *widget.RadioGroup
	kind         *widget.RadioGroup
	where        *widget.Entry
	clientID     *widget.Entry
	clientSecret *widget.Entry
	method       *widget.Select
	audience     *widget.Entry
	scope        *widget.Entry
	caFile       *widget.Entry
	callbackPort *widget.Entry
	prompt       *widget.Select
	params       *widget.Entry // one key=value per line
	lifetime     *widget.Entry // the refresh token's absolute lifetime ("30d")
	idle         *widget.Entry // and its inactivity lifetime
	keepSignedIn *widget.Check
	refreshToken *widget.Entry

	// Messages under the fields, empty when the field is fine.
	nameMsg, whereMsg, clientIDMsg, secretMsg, callbackMsg, paramsMsg, lifetimeMsg, formMsg *widget.Label
	// whereHint shows the normalised domain or URL.
	whereHint *widget.Label
	// callbackHint shows the redirect URL to register at the issuer.
	callbackHint *widget.Label

	title     *widget.Label
	saveBtn   *widget.Button
	signInBtn *widget.Button // save, then sign in in the browser
	cancel    *widget.Button
	tried     bool // Save was pressed once: show every message

	content fyne.CanvasObject

	onSave   func(p auth.Profile, refreshToken string, adding bool)
	onSignIn func(p auth.Profile, refreshToken string, adding bool)
	onCancel func()
}

func newEditor(exists func(string) bool) *editor {
	e := &editor{exists: exists}
	e.title = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	e.title.SizeName = theme.SizeNameSubHeadingText

	e.name = widget.NewEntry()
	e.name.SetPlaceHolder("dev")
	e.grant = widget.NewRadioGroup([]string{GrantSignIn, GrantClientCredentials}, nil)
	e.grant.Horizontal = true
	e.grant.Required = true
	e.kind = widget.NewRadioGroup([]string{KindDomain, KindIssuer, KindTokenURL}, nil)
	e.kind.Horizontal = true
	e.kind.Required = true
	e.where = widget.NewEntry()
	e.clientID = widget.NewEntry()
	e.clientSecret = widget.NewPasswordEntry()
	e.clientSecret.SetPlaceHolder("empty for a public client")
	e.method = widget.NewSelect([]string{MethodAuto, MethodPost, MethodBasic, MethodNone}, nil)
	e.audience = widget.NewEntry()
	e.audience.SetPlaceHolder("https://api.example.com (Auth0 API identifier, optional)")
	e.scope = widget.NewEntry()
	e.scope.SetPlaceHolder("optional, e.g. openid offline_access read:things")
	e.caFile = widget.NewEntry()
	e.caFile.SetPlaceHolder("optional PEM file trusted in addition to the system roots")
	e.callbackPort = widget.NewEntry()
	e.callbackPort.SetPlaceHolder("empty: any free port for each sign-in")
	e.prompt = widget.NewSelect(append([]string{PromptDefault}, auth.Prompts...), nil)
	e.params = widget.NewMultiLineEntry()
	e.params.SetPlaceHolder("optional, one per line: organization=org_123")
	e.params.SetMinRowsVisible(2)
	e.lifetime = widget.NewEntry()
	e.lifetime.SetPlaceHolder("from sign-in, e.g. 30d (Auth0: Absolute Lifetime); empty: unknown")
	e.idle = widget.NewEntry()
	e.idle.SetPlaceHolder("unused, e.g. 15d (Auth0: Inactivity Lifetime); empty: unknown")
	e.keepSignedIn = widget.NewCheck("Keep signed in: refresh before the inactivity lifetime runs out", nil)
	e.refreshToken = widget.NewPasswordEntry()

	e.nameMsg, e.whereMsg, e.clientIDMsg, e.secretMsg, e.callbackMsg, e.paramsMsg, e.lifetimeMsg, e.formMsg = msg(), msg(), msg(), msg(), msg(), msg(), msg(), msg()
	e.whereHint = widget.NewLabel("")
	e.whereHint.SizeName = theme.SizeNameCaptionText
	e.whereHint.Importance = widget.LowImportance
	e.callbackHint = widget.NewLabel("")
	e.callbackHint.SizeName = theme.SizeNameCaptionText
	e.callbackHint.Wrapping = fyne.TextWrapWord
	e.callbackHint.Selectable = true

	for _, en := range []*widget.Entry{e.name, e.where, e.clientID, e.clientSecret, e.audience, e.scope, e.caFile, e.callbackPort, e.params, e.lifetime, e.idle, e.refreshToken} {
		en.OnChanged = func(string) { e.validate() }
	}
	e.prompt.OnChanged = func(string) { e.validate() }
	e.kind.OnChanged = func(string) {
		e.setWherePlaceholder()
		e.validate()
	}
	e.method.OnChanged = func(string) { e.validate() }
	e.grant.OnChanged = func(string) { e.validate() }

	e.saveBtn = widget.NewButtonWithIcon(LabelSave, theme.DocumentSaveIcon(), e.save)
	e.saveBtn.Importance = widget.HighImportance
	e.signInBtn = widget.NewButtonWithIcon(LabelSaveSignIn, theme.LoginIcon(), e.saveAndSignIn)
	e.cancel = widget.NewButton(LabelCancel, func() {
		if e.onCancel != nil {
			e.onCancel()
		}
	})

	form := container.New(layout.NewFormLayout(),
		key("Name"), container.NewVBox(e.name, e.nameMsg),
		key("Tokens from"), e.grant,
		key("Issuer"), e.kind,
		widget.NewLabel(""), container.NewVBox(e.where, e.whereHint, e.whereMsg),
		key("Client ID"), container.NewVBox(e.clientID, e.clientIDMsg),
		key("Client secret"), container.NewVBox(e.clientSecret, e.secretMsg),
		key("Authentication"), e.method,
		key("Audience"), e.audience,
		key("Scope"), e.scope,
		key("CA file"), e.caFile,
		key("Callback port"), container.NewVBox(e.callbackPort, e.callbackHint, e.callbackMsg),
		key("Sign-in prompt"), e.prompt,
		key("Extra parameters"), container.NewVBox(e.params, e.paramsMsg),
		key("Refresh token lifetime"), container.NewVBox(e.lifetime, e.idle, e.lifetimeMsg, e.keepSignedIn),
		key("Refresh token"), e.refreshToken,
	)
	e.content = container.NewVScroll(container.NewVBox(
		e.title,
		form,
		e.formMsg,
		container.NewHBox(layout.NewSpacer(), e.cancel, e.signInBtn, e.saveBtn),
	))
	return e
}

func (e *editor) setWherePlaceholder() {
	switch e.kind.Selected {
	case KindIssuer:
		e.where.SetPlaceHolder("https://issuer.example.com")
	case KindTokenURL:
		e.where.SetPlaceHolder("https://issuer.example.com/oauth2/token")
	default:
		e.where.SetPlaceHolder("acme.eu.auth0.com")
	}
}

// add clears the form for a new profile.
func (e *editor) add() {
	e.fill(auth.Profile{}, "")
	e.title.SetText("Add profile")
}

// edit loads p into the form. The name cannot change.
func (e *editor) edit(p auth.Profile) {
	e.fill(p, p.Name)
	e.title.SetText("Edit " + p.Name)
}

func (e *editor) fill(p auth.Profile, editing string) {
	e.editing = editing
	e.tried = false
	e.name.SetText(p.Name)
	if p.Machine() {
		e.grant.SetSelected(GrantClientCredentials)
	} else {
		e.grant.SetSelected(GrantSignIn)
	}
	if editing != "" {
		e.name.Disable()
	} else {
		e.name.Enable()
	}
	switch {
	case p.Issuer != "":
		e.kind.SetSelected(KindIssuer)
		e.where.SetText(p.Issuer)
	case p.TokenURL != "":
		e.kind.SetSelected(KindTokenURL)
		e.where.SetText(p.TokenURL)
	default:
		e.kind.SetSelected(KindDomain)
		e.where.SetText(p.Domain)
	}
	e.clientID.SetText(p.ClientID)
	e.clientSecret.SetText(p.ClientSecret)
	switch p.AuthMethod {
	case auth.AuthPost:
		e.method.SetSelected(MethodPost)
	case auth.AuthBasic:
		e.method.SetSelected(MethodBasic)
	case auth.AuthNone:
		e.method.SetSelected(MethodNone)
	default:
		e.method.SetSelected(MethodAuto)
	}
	e.audience.SetText(p.Audience)
	e.scope.SetText(p.Scope)
	e.caFile.SetText(p.CAFile)
	e.callbackPort.SetText("")
	if p.CallbackPort != 0 {
		e.callbackPort.SetText(strconv.Itoa(p.CallbackPort))
	}
	// A combination set on the command line ("login consent") is offered
	// too, so that saving keeps it.
	e.prompt.SetOptions(append([]string{PromptDefault}, auth.Prompts...))
	if p.Prompt != "" && !slices.Contains(e.prompt.Options, p.Prompt) {
		e.prompt.SetOptions(append(e.prompt.Options, p.Prompt))
	}
	if p.Prompt == "" {
		e.prompt.SetSelected(PromptDefault)
	} else {
		e.prompt.SetSelected(p.Prompt)
	}
	var lines []string
	for _, k := range slices.Sorted(maps.Keys(p.Params)) {
		lines = append(lines, k+"="+p.Params[k])
	}
	e.params.SetText(strings.Join(lines, "\n"))
	e.lifetime.SetText(spanInput(p.RefreshLifetime))
	e.idle.SetText(spanInput(p.RefreshIdle))
	e.keepSignedIn.SetChecked(p.KeepSignedIn)
	e.refreshToken.SetText("")
	e.refreshToken.SetPlaceHolder("optional: paste a refresh token instead of signing in")
	setMsg(e.formMsg, "")
	e.validate()
}

// spanInput writes a lifetime the way the field reads it back: whole days
// as "30d", else Go's form ("36h0m0s"), none as "".
func spanInput(d time.Duration) string {
	switch {
	case d == 0:
		return ""
	case d%(24*time.Hour) == 0:
		return strconv.Itoa(int(d/(24*time.Hour))) + "d"
	}
	return d.String()
}

func (e *editor) save() { e.submit(e.onSave) }

func (e *editor) saveAndSignIn() { e.submit(e.onSignIn) }

func (e *editor) submit(then func(p auth.Profile, refreshToken string, adding bool)) {
	e.tried = true
	p, ok := e.validate()
	if !ok {
		setMsg(e.formMsg, "Fix the fields marked above, then save again.")
		return
	}
	setMsg(e.formMsg, "")
	rt := strings.TrimSpace(e.refreshToken.Text)
	if p.Machine() {
		rt = "" // typed before the grant changed: client credentials have none
	}
	if then != nil {
		then(p, rt, e.editing == "")
	}
}

// failed shows why saving did not (fully) work.
func (e *editor) failed(res session.SaveResult) {
	if errors.Is(res.Err, auth.ErrExists) {
		setMsg(e.nameMsg, "A profile named "+strings.TrimSpace(e.name.Text)+" exists already: choose another name.")
	}
	setMsg(e.formMsg, res.Message)
}
