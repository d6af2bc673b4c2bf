// Package desktop runs tokentray's GUI: it creates the Fyne app (the only
// package that imports fyne/v2/app), wires the tray menu, the main window,
// the clipboard and notifications to one session over the engine, keeps the
// countdowns ticking and makes sure only one instance runs.
package desktop

import (
	"errors"
	"fmt"
	"os"
	"sync/atomic"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"
	fynedesktop "fyne.io/fyne/v2/driver/desktop"
	"github.com/tokentray/tokentray/assets"
	"github.com/tokentray/tokentray/auth"
	"github.com/tokentray/tokentray/ui/desktop/instance"
	_ "github.com/tokentray/tokentray/ui/desktop/localefix" // before Fyne's lang package
	"github.com/tokentray/tokentray/ui/session"
	"github.com/tokentray/tokentray/ui/tray"
	"github.com/tokentray/tokentray/ui/widgets"
	"github.com/tokentray/tokentray/ui/window"
)

// Options configure one run of the GUI.
type Options struct {
	Engine *auth.Engine
	// Service is the keychain service the engine's store uses. Instances are
	// unique per service, so the demo runs next to the real app.
	Service string
	// Title is the window title ("tokentray" by default).
	Title string
	// Hint is shown above the profile list (the demo explains itself).
	Hint string
	// Clipboard defaults to the system clipboard (atotto/clipboard).
	Clipboard session.Clipboard
	// Prepare runs on a goroutine once this process is the only instance and
	// the tray and window are up (the demo seeds its profiles there, so its
	// tray item appears at once); the views follow through the engine's
	// change notifications. An error is shown in the window.
	Prepare func() error
}

// NoTrayHint is shown when no StatusNotifier host is running.
const NoTrayHint = "No system tray found (on GNOME, enable the AppIndicator extension), so tokentray lives in this window: closing it quits."

// Intervals of the background ticks.
const (
	secondTick = time.Second      // window countdowns, only while the window is shown
	trayTick   = 30 * time.Second // tray labels ("42 min left")
	reloadTick = 5 * time.Minute  // re-read the keychain for changes made by other processes
)

// Run starts the GUI and returns the process exit code when it quits.
func Run(o Options) int {
	if o.Title == "" {
		o.Title = window.Title
	}
	// The running instance's show function, once the window exists.
	var show func()
	showReq := make(chan struct{}, 1)
	sock, err := instance.SocketPath("tokentray-" + o.Service)
	if err != nil {
		fmt.Fprintf(os.Stderr, "tokentray: %v\n", err)
		return 1
	}
	release, err := instance.Claim(sock, func() {
		select {
		case showReq <- struct{}{}:
		default:
		}
	})
	if errors.Is(err, instance.ErrRunning) {
		fmt.Fprintln(os.Stderr, "tokentray is already running: brought its window to the front.")
		return 0
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "tokentray: %v\n", err)
		return 1
	}
	defer release()

	app.SetMetadata(Metadata())
	a := app.NewWithID(ID)
	a.SetIcon(assets.Icon)
	prefs := window.LoadPrefs(a.Preferences())

	clip := o.Clipboard
	if clip == nil {
		clip = systemClipboard{}
	}
	var notifyExpiring atomic.Bool
	sess := &session.Session{
		Engine:    o.Engine,
		Clipboard: clip,
		Loop:      session.FyneLoop{},
		OpenURL:   a.OpenURL,
		// Called on a goroutine of the session's: Fyne's SendNotification
		// is a synchronous D-Bus call that must not hold up the UI.
		Notify: func(title, body string) { a.SendNotification(fyne.NewNotification(title, body)) },
	}
	apply := func(p window.Prefs) {
		o.Engine.SetMargin(p.Margin)
		sess.SetAutoClear(p.AutoClear)
		sess.SetNotifications(p.Notifications)
		notifyExpiring.Store(p.NotifyExpiring)
	}
	apply(prefs)

	w := a.NewWindow(o.Title)
	w.SetIcon(assets.Icon)
	m := window.New(sess, o.Engine.Now, w)
	m.OnSettings = func() { window.ShowSettings(w, a.Preferences(), apply) }
	w.SetContent(m.Content())
	w.Resize(fyne.NewSize(1120, 680))

	// visible is written on the UI goroutine and read by the ticker, which
	// then does not even wake the UI goroutine while the window is hidden.
	var visible atomic.Bool
	show = func() {
		w.Show()
		w.RequestFocus()
		if !visible.Swap(true) {
			m.Reload()
		}
	}
	hide := func() {
		w.Hide()
		visible.Store(false)
		m.Hidden() // a revealed token is masked again
	}

	hasTray := HasTrayHost()
	var hints []string
	if o.Hint != "" {
		hints = append(hints, o.Hint)
	}
	if !hasTray {
		hints = append(hints, NoTrayHint)
	}
	if missingClipboardTool() {
		hints = append(hints, session.Problem(session.ErrNoClipboardTool))
	}
	m.SetHint(joinLines(hints))

	var tr *tray.Tray
	if desk, ok := a.(fynedesktop.App); ok && hasTray {
		tr = &tray.Tray{
			Session: sess,
			Now:     o.Engine.Now,
			Install: desk.SetSystemTrayMenu,
			Handlers: tray.Handlers{
				// The window's status line says what the tray copied too,
				// for desktops without a notification daemon.
				Copy:       func(r session.Request) { sess.Copy(r, func(res session.Result) { m.SetStatus(res.Message) }) },
				Open:       show,
				AddProfile: func() { show(); m.AddProfile() },
				Inspect:    func(name string) { show(); m.Inspect(name) },
				SignIn:     func(name string, device bool) { show(); m.SignIn(name, device) },
				SignOut:    func(name string) { show(); m.SignOut(name) },
			},
			OnExpiring: func(name string, left time.Duration) {
				if notifyExpiring.Load() {
					sess.Announce("tokentray", fmt.Sprintf("Access token for %s expires in %s", name, widgets.Duration(left)))
				}
			},
		}
		desk.SetSystemTrayIcon(assets.TrayIcon)
	}
	if tr != nil {
		w.SetCloseIntercept(hide)
	} else {
		w.SetMaster()
	}

	m.Start()
	if tr != nil {
		tr.Start()
	}
	if !prefs.StartHidden || !hasTray {
		show()
	}
	if o.Prepare != nil {
		go func() {
			if err := o.Prepare(); err != nil {
				fyne.Do(func() { m.SetStatus(session.Problem(err)); show() })
			}
		}()
	}

	done := make(chan struct{})
	defer close(done)
	go ticks(done, showReq, visible.Load, func(f func()) { fyne.Do(f) }, ticker{
		second: m.Tick,
		tray: func() {
			if tr != nil {
				tr.Tick()
			}
		},
		reload: func() { sess.Reload() }, // tray and window follow the shared rows
		show: func() { show() },
	})
	a.Run()
	sess.FlushClear() // an armed auto-clear must not die with the process
	return 0
}

type ticker struct{ second, tray, reload, show func() }

// ticks drives the periodic updates; every function runs on the UI
// goroutine through do. The per-second tick only runs while visible.
func ticks(done <-chan struct{}, showReq <-chan struct{}, visible func() bool, do func(func()), t ticker) {
	sec := time.NewTicker(secondTick)
	defer sec.Stop()
	tr := time.NewTicker(trayTick)
	defer tr.Stop()
	rl := time.NewTicker(reloadTick)
	defer rl.Stop()
	for {
		select {
		case <-done:
			return
		case <-showReq:
			do(t.show)
		case <-sec.C:
			if visible() {
				do(t.second)
			}
		case <-tr.C:
			do(t.tray)
		case <-rl.C:
			do(t.reload)
		}
	}
}

func joinLines(s []string) string {
	out := ""
	for i, x := range s {
		if i > 0 {
			out += "\n"
		}
		out += x
	}
	return out
}
