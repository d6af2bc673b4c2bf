package clipboard

import (
	"errors"
	"fmt"
	"runtime"
	"time"
	"unsafe"

	"github.com/atotto/clipboard"
	"golang.org/x/sys/windows"
)

// New returns the Windows clipboard. A copy carries, beside the text
// (CF_UNICODETEXT), the formats Windows defines for secrets: excluded from
// clipboard monitors (ExcludeClipboardContentFromMonitorProcessing), from
// the clipboard history (CanIncludeInClipboardHistory = 0) and from the
// cloud clipboard (CanUploadToCloudClipboard = 0). Reading is
// atotto/clipboard's.
func New() (Clipboard, error) { return winClipboard{}, nil }

type winClipboard struct{}

func (winClipboard) ReadAll() (string, error) { return clipboard.ReadAll() }

var (
	user32                      = windows.NewLazySystemDLL("user32.dll")
	kernel32                    = windows.NewLazySystemDLL("kernel32.dll")
	procOpenClipboard           = user32.NewProc("OpenClipboard")
	procCloseClipboard          = user32.NewProc("CloseClipboard")
	procEmptyClipboard          = user32.NewProc("EmptyClipboard")
	procSetClipboardData        = user32.NewProc("SetClipboardData")
	procRegisterClipboardFormat = user32.NewProc("RegisterClipboardFormatW")
	procGlobalAlloc             = kernel32.NewProc("GlobalAlloc")
	procGlobalFree              = kernel32.NewProc("GlobalFree")
	procGlobalLock              = kernel32.NewProc("GlobalLock")
	procGlobalUnlock            = kernel32.NewProc("GlobalUnlock")
	procMoveMemory              = kernel32.NewProc("RtlMoveMemory")
	errClipboardBusy            = errors.New("another program keeps the clipboard open")
	secretFormats               = []string{"ExcludeClipboardContentFromMonitorProcessing", "CanIncludeInClipboardHistory", "CanUploadToCloudClipboard"}
)

const (
	cfUnicodeText = 13
	gmemMoveable  = 0x0002
)

func (winClipboard) WriteAll(text string) error {
	// The clipboard is opened, filled and closed by one OS thread.
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	if err := open(); err != nil {
		return err
	}
	defer procCloseClipboard.Call()
	if r, _, err := procEmptyClipboard.Call(); r == 0 {
		return fmt.Errorf("empty the clipboard: %w", err)
	}
	if text == "" {
		return nil
	}
	utf16, err := windows.UTF16FromString(text)
	if err != nil {
		return err
	}
	if err := set(cfUnicodeText, unsafe.Slice((*byte)(unsafe.Pointer(&utf16[0])), 2*len(utf16))); err != nil {
		return err
	}
	zero := make([]byte, 4) // a DWORD 0: "no" for the history and the cloud
	for _, name := range secretFormats {
		n, err := windows.UTF16PtrFromString(name)
		if err != nil {
			return err
		}
		f, _, err := procRegisterClipboardFormat.Call(uintptr(unsafe.Pointer(n)))
		if f == 0 {
			return fmt.Errorf("register clipboard format %s: %w", name, err)
		}
		if err := set(f, zero); err != nil {
			return err
		}
	}
	return nil
}

// open opens the clipboard, waiting up to a second for another program to
// close it.
func open() error {
	for deadline := time.Now().Add(time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if r, _, _ := procOpenClipboard.Call(0); r != 0 {
			return nil
		}
	}
	return errClipboardBusy
}

// set puts data on the open clipboard as format; the clipboard owns the
// memory afterwards.
func set(format uintptr, data []byte) error {
	h, _, err := procGlobalAlloc.Call(gmemMoveable, uintptr(len(data)))
	if h == 0 {
		return fmt.Errorf("allocate clipboard memory: %w", err)
	}
	p, _, err := procGlobalLock.Call(h)
	if p == 0 {
		procGlobalFree.Call(h)
		return fmt.Errorf("lock clipboard memory: %w", err)
	}
	procMoveMemory.Call(p, uintptr(unsafe.Pointer(&data[0])), uintptr(len(data)))
	procGlobalUnlock.Call(h)
	if r, _, err := procSetClipboardData.Call(format, h); r == 0 {
		procGlobalFree.Call(h)
		return fmt.Errorf("set clipboard data: %w", err)
	}
	return nil
}
