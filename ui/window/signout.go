package window

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"github.com/tokentray/tokentray/ui/session"
)

// SignOutTitle is the sign-out confirmation's title for a profile.
func SignOutTitle(name string) string { return "Sign out of " + name + "?" }

// RevocationTitle is the title of the dialog shown when the issuer did not
// confirm a sign-out.
func RevocationTitle(name string) string { return "Sign-out of " + name + " not confirmed" }

// SignOut selects the named profile and, once confirmed, revokes its
// refresh token and removes its tokens. When the issuer does not confirm the
// revocation it offers to remove them locally anyway.
func (m *Main) SignOut(name string) {
	if m.exists(name) {
		m.Inspect(name)
	}
	d := dialog.NewConfirm(SignOutTitle(name),
		"This revokes the refresh token at the issuer and removes the profile's tokens from the keychain.\nThe profile stays: sign in again at any time.",
		func(ok bool) {
			if ok {
				m.signOut(name, false)
			}
		}, m.win)
	d.SetConfirmText("Sign out")
	d.SetDismissText("Keep")
	d.Show()
}

func (m *Main) signOut(name string, local bool) {
	m.SetStatus("Signing out of " + name + "…")
	m.session.SignOut(name, local, func(res session.SignOutResult) {
		m.SetStatus(res.Message)
		if res.RevocationFailed() && !res.Local {
			m.offerLocalRemoval(res)
		}
	})
}

// offerLocalRemoval shows why the issuer did not confirm the revocation and
// offers to remove the tokens from the keychain anyway.
func (m *Main) offerLocalRemoval(res session.SignOutResult) {
	msg := wrapped(res.Message + "\n\nRemoving them locally signs tokentray out, but the refresh token may stay valid at the issuer until it expires.")
	full := wrapped(res.Err.Error())
	full.Selectable = true
	full.SizeName = theme.SizeNameCaptionText
	d := dialog.NewCustomConfirm(RevocationTitle(res.Name), LabelRemoveLocal, LabelKeepTokens, container.NewVBox(msg, full), func(ok bool) {
		if ok {
			m.signOut(res.Name, true)
		}
	}, m.win)
	d.SetConfirmImportance(widget.DangerImportance)
	d.Resize(fyne.NewSize(520, 0))
	d.Show()
}
