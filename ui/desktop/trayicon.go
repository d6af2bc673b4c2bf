package desktop

import (
	"sync"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"
	"fyne.io/systray"
)

// trayIcon is the StatusNotifierItem with its menu, driven through
// fyne.io/systray directly rather than through Fyne's desktop.App: Fyne's
// version opens a hidden OpenGL window at start (only to learn about a quit
// on some platforms), which loads Mesa (about 80 MB resident under llvmpipe)
// before anyone opens tokentray's window, and it runs menu actions through
// Fyne's loop, which tokentray parks while the window is hidden (mainLoop).
// Here actions run through do. Like Fyne's, the menu ends with a separator
// and Quit.
type trayIcon struct {
	do   func(func()) // runs an action on the UI goroutine
	quit func()

	mu    sync.Mutex // Install may come from any goroutine; systray is global
	start sync.Once
}

// Show puts the icon on the bus (org.kde.StatusNotifierItem-PID-1) and
// registers it with the StatusNotifierWatcher.
func (t *trayIcon) Show(icon fyne.Resource, title string) {
	t.start.Do(func() {
		start, _ := systray.RunWithExternalLoop(nil, nil)
		start() // exports everything before it returns
		systray.SetIcon(icon.Content())
		// Some hosts misbehave without a title (Fyne sets one too).
		systray.SetTitle(title)
		systray.SetTooltip(title)
	})
}

// SetState shows icon, with tooltip saying what it means.
func (t *trayIcon) SetState(icon fyne.Resource, tooltip string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	systray.SetIcon(icon.Content())
	systray.SetTooltip(tooltip)
}

// Install replaces the menu with m. Its items' actions run through do.
func (t *trayIcon) Install(m *fyne.Menu) {
	t.mu.Lock()
	defer t.mu.Unlock()
	systray.ResetMenu()
	t.add(m.Items, nil)
	systray.AddSeparator()
	t.listen(systray.AddMenuItem(lang.L("Quit"), ""), t.quit)
}

func (t *trayIcon) add(items []*fyne.MenuItem, parent *systray.MenuItem) {
	for _, it := range items {
		if it.IsSeparator {
			if parent != nil {
				parent.AddSeparator()
			} else {
				systray.AddSeparator()
			}
			continue
		}
		var s *systray.MenuItem
		switch {
		case parent != nil && it.Checked:
			s = parent.AddSubMenuItemCheckbox(it.Label, "", true)
		case parent != nil:
			s = parent.AddSubMenuItem(it.Label, "")
		case it.Checked:
			s = systray.AddMenuItemCheckbox(it.Label, "", true)
		default:
			s = systray.AddMenuItem(it.Label, "")
		}
		if it.Disabled {
			s.Disable()
		}
		if it.ChildMenu != nil {
			t.add(it.ChildMenu.Items, s)
		}
		t.listen(s, it.Action)
	}
}

// listen runs action for every click on s until the item is removed (the
// next Install closes its channel). systray drops a click when nobody is
// receiving, so the action is handed over, never run here.
func (t *trayIcon) listen(s *systray.MenuItem, action func()) {
	go func() {
		for range s.ClickedCh {
			if action != nil && t.do != nil {
				t.do(action)
			}
		}
	}()
}
