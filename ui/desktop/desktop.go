// Package desktop runs tokentray's GUI: it creates the Fyne app (the only
// package that imports fyne/v2/app), wires the tray menu, the main window,
// the clipboard and notifications to one session over the engine, keeps the
// countdowns ticking and makes sure only one instance runs.
package desktop

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/signal"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"
	fynedesktop "fyne.io/fyne/v2/driver/desktop"
	"github.com/tokentray/tokentray/assets"
	"github.com/tokentray/tokentray/auth"
	"github.com/tokentray/tokentray/ui/browser"
	"github.com/tokentray/tokentray/ui/desktop/instance"
	_ "github.com/tokentray/tokentray/ui/desktop/localefix" // before Fyne's lang package
	"github.com/tokentray/tokentray/ui/display"
	"github.com/tokentray/tokentray/ui/session"
	"github.com/tokentray/tokentray/ui/shutdown"
	"github.com/tokentray/tokentray/ui/text"
	"github.com/tokentray/tokentray/ui/tray"
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
	// Hidden starts in the tray without showing the window, whatever the
	// start-hidden setting says (a start at login).
	Hidden bool
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
	if err := display.Check(); err != nil {
		fmt.Fprintf(os.Stderr, "tokentray: %v\n", display.NeedsSession(err))
		return 1
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
	ui := newMainLoop()
	ui.StopOnSignal()

	clip := o.Clipboard
	if clip == nil {
		clip = systemClipboard{}
	}
	var notifyExpiring atomic.Bool
	sess := &session.Session{
		Engine:    o.Engine,
		Clipboard: clip,
		Loop:      ui,
		OpenURL: func(u *url.URL) error {
			// $BROWSER wins, as for the command line and other developer tools.
			if os.Getenv("BROWSER") != "" {
				return browser.Open(u.String())
			}
			return a.OpenURL(u)
		},
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

	// The window and its content are made when first shown: laying them
	// out loads and parses the fonts (about 30 MB of heap), which a tray
	// icon never needs. Until then the status line's text waits here.
	// UI goroutine only, like the widgets.
	var (
		w      fyne.Window
		m      *window.Main
		status string
	)
	// visible is written on the UI goroutine and read by the ticker, which
	// then does not even wake the UI goroutine while the window is hidden.
	var visible atomic.Bool
	// ownTray: the tray icon is tokentray's own (see trayIcon), so Fyne's
	// loop may be parked while the window is hidden.
	ownTray := hasTray && freedesktop()
	idle := func(on bool) {
		if ownTray {
			ui.SetIdle(on)
		}
	}
	hide := func() {
		w.Hide()
		visible.Store(false)
		m.OnHidden() // a revealed token is masked again
		idle(true)
	}
	setStatus := func(text string) {
		if m == nil {
			status = text
			return
		}
		m.SetStatus(text)
	}
	ensureWindow := func() {
		if m != nil {
			return
		}
		w = a.NewWindow(o.Title)
		w.SetIcon(assets.Icon)
		m = window.New(sess, o.Engine.Now, w)
		m.OnSettings = func() { window.ShowSettings(w, a.Preferences(), apply) }
		w.SetContent(m.Content())
		w.Resize(fyne.NewSize(1120, 680))
		m.SetHint(strings.Join(hints, "\n"))
		m.SetStatus(status)
		if hasTray {
			w.SetCloseIntercept(hide)
		} else {
			w.SetMaster() // closing it quits
			w.SetOnClosed(ui.Stop)
		}
		m.Start() // the rows the tray already read, or a first read
	}
	show = func() {
		created := m == nil
		ensureWindow()
		idle(false)
		w.Show()
		w.RequestFocus()
		if !visible.Swap(true) && !created {
			m.Reload()
		}
	}

	var (
		install  func(*fyne.Menu)
		setState func(icon fyne.Resource, tooltip string)
	)
	if ownTray {
		icon := &trayIcon{do: ui.Do, quit: func() { ui.Stop(); a.Quit() }}
		icon.Show(assets.TrayIcon, Name)
		install, setState = icon.Install, icon.SetState
	} else if desk, ok := a.(fynedesktop.App); ok && hasTray {
		desk.SetSystemTrayIcon(assets.TrayIcon)
		install = desk.SetSystemTrayMenu
		setState = func(icon fyne.Resource, _ string) { desk.SetSystemTrayIcon(icon) }
	}
	var tr *tray.Tray
	if install != nil {
		tr = &tray.Tray{
			Session: sess,
			Now:     o.Engine.Now,
			Install: install,
			Handlers: tray.Handlers{
				// The window's status line says what the tray copied too,
				// for desktops without a notification daemon.
				Copy:       func(r session.Request) { sess.Copy(r, func(res session.Result) { setStatus(res.Message) }) },
				Open:       show,
				AddProfile: func() { show(); m.AddProfile() },
				Inspect:    func(name string) { show(); m.Inspect(name) },
				SignIn:     func(name string, device bool) { show(); m.SignIn(name, device) },
				SignOut:    func(name string) { show(); m.SignOut(name) },
			},
			OnExpiring: func(name string, left time.Duration) {
				if notifyExpiring.Load() {
					sess.Announce("tokentray", fmt.Sprintf("Access token for %s expires in %s", name, text.Duration(left)))
				}
			},
			// The icon tells at a glance when a profile needs the user.
			OnAttention: func(items []string) {
				if len(items) == 0 {
					setState(assets.TrayIcon, Name)
					return
				}
				setState(assets.TrayAlertIcon, Name+" — "+strings.Join(items, "; "))
			},
		}
		tr.Start()
	}
	if !(prefs.StartHidden || o.Hidden) || tr == nil {
		show()
	} else {
		idle(true)
	}
	if o.Prepare != nil {
		go func() {
			if err := o.Prepare(); err != nil {
				ui.Do(func() { show(); setStatus(session.Problem(err)) })
			}
		}()
	}

	// Changes by other processes (a CLI refresh) show at once: their
	// engines touch the profile's lock file. This process's own changes
	// touch it too; those the session has already read.
	if dir, err := auth.LockDir(o.Service); err == nil {
		changes := &changeWatch{dir: dir}
		o.Engine.Watch(changes.Own)
		if stop, err := changes.Start(changeDebounce, func([]string) { ui.Do(sess.Reload) }); err == nil {
			defer stop()
		} else {
			fmt.Fprintf(os.Stderr, "tokentray: %v (changes from other processes show within %v)\n", err, reloadTick)
		}
	}

	done := make(chan struct{})
	defer close(done)
	go ticks(done, showReq, visible.Load, ui.Do, ticker{
		second: func() {
			if m != nil {
				m.Tick()
			}
		},
		tray: func() {
			if tr != nil {
				tr.Tick()
			}
		},
		reload: func() { sess.Reload() }, // tray and window follow the shared rows
		show:   func() { show() },
	})
	a.Run()
	ui.Stop()
	sess.FlushClear() // an armed auto-clear must not die with the process
	// Fyne has taken the first SIGINT/SIGTERM (or the user chose Quit);
	// from now on the next one ends the process at once.
	signal.Reset(os.Interrupt, syscall.SIGTERM)
	shutdown.Finish(o.Engine, os.Stderr)
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
