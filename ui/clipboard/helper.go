package clipboard

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"time"
)

// HelperCommand, as the first argument, makes the tokentray executable the
// clipboard helper instead of the command line (see Command).
const HelperCommand = "__clipboard-helper"

// maxText bounds what the helper reads: tokens are a few kilobytes.
const maxText = 1 << 20

// Command is the clipboard of a command that exits right after copying.
// Each copy starts the helper — Exe with HelperCommand — detached from the
// terminal, hands it the text on a pipe (never in its arguments) and
// returns once the helper has it on the clipboard. The helper then keeps it
// there (on X11 it is the selection's owner) until another program copies
// something, or until ClearAfter has passed, when it takes the text off if
// the clipboard still holds it.
type Command struct {
	Exe        string        // the executable to start; "" is this one
	ClearAfter time.Duration // 0 keeps the text until another copy
}

// helperWait bounds the helper's start and its first copy.
const helperWait = 10 * time.Second

// WriteAll copies text through a new helper.
func (c Command) WriteAll(text string) error {
	exe := c.Exe
	if exe == "" {
		var err error
		if exe, err = os.Executable(); err != nil {
			return fmt.Errorf("start the clipboard helper: %w", err)
		}
	}
	cmd := exec.Command(exe, HelperCommand, c.ClearAfter.String())
	cmd.Stdin = strings.NewReader(text)
	// Not the caller's directory: the helper may outlive it and would keep
	// it busy (an unmount, a removed checkout).
	cmd.Dir = os.TempDir()
	out, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	detach(cmd)
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start the clipboard helper: %w", err)
	}
	line := make(chan string, 1)
	go func() {
		s, _ := bufio.NewReader(out).ReadString('\n')
		line <- strings.TrimSpace(s)
	}()
	select {
	case s := <-line:
		if s == "ok" {
			return cmd.Process.Release()
		}
		_ = cmd.Wait()
		if msg, ok := strings.CutPrefix(s, "error: "); ok {
			return errors.New(msg)
		}
		return errors.New("the clipboard helper stopped without copying")
	case <-time.After(helperWait):
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		return errors.New("the clipboard helper did not answer")
	}
}

// Copy is WriteAll with clearAfter in place of ClearAfter (the command
// line's --clear-after).
func (c Command) Copy(text string, clearAfter time.Duration) error {
	c.ClearAfter = clearAfter
	return c.WriteAll(text)
}

// ReadAll reads the clipboard directly; no helper is needed for that.
func (c Command) ReadAll() (string, error) {
	cb, err := New()
	if err != nil {
		return "", err
	}
	defer closeClipboard(cb)
	return cb.ReadAll()
}

// HelperMain is the helper's main: args are HelperCommand's arguments (the
// clear-after duration), the text comes on stdin, and one line on stdout —
// "ok", or "error: " and why — tells the command that started it.
func HelperMain(args []string, stdin io.Reader, stdout io.Writer) int {
	report := func(err error) int {
		fmt.Fprintf(stdout, "error: %v\n", err)
		return 1
	}
	if len(args) != 1 {
		return report(errors.New("the clipboard helper takes one argument"))
	}
	clearAfter, err := time.ParseDuration(args[0])
	if err != nil {
		return report(err)
	}
	b, err := io.ReadAll(io.LimitReader(stdin, maxText+1))
	if err != nil {
		return report(err)
	}
	if len(b) > maxText {
		return report(fmt.Errorf("more than %d bytes to copy", maxText))
	}
	text := string(b)
	cb, err := New()
	if err != nil {
		return report(err)
	}
	defer closeClipboard(cb)
	if err := cb.WriteAll(text); err != nil {
		return report(err)
	}
	fmt.Fprintln(stdout, "ok")
	if c, ok := stdout.(io.Closer); ok {
		c.Close()
	}
	hold(cb, text, clearAfter)
	return 0
}

// hold keeps the text on the clipboard as long as this process must (an
// X11 owner serves it itself), and takes it off after clearAfter if it is
// still there: whatever the user copied since is theirs.
func hold(cb Clipboard, text string, clearAfter time.Duration) {
	var lost <-chan struct{}
	if o, ok := cb.(interface{ Lost() <-chan struct{} }); ok {
		lost = o.Lost()
	} else if clearAfter == 0 {
		return // the tool or the OS keeps the text
	}
	var timeUp <-chan time.Time
	if clearAfter > 0 {
		timeUp = time.After(clearAfter)
	}
	select {
	case <-lost:
	case <-timeUp:
		if cur, err := cb.ReadAll(); err == nil && cur == text {
			_ = cb.WriteAll("")
		}
	}
}

func closeClipboard(cb Clipboard) {
	if c, ok := cb.(interface{ Close() }); ok {
		c.Close()
	}
}
