package clipboard

import (
	"os/exec"
	"strings"

	"github.com/atotto/clipboard"
)

// New returns the macOS pasteboard. A copy is marked concealed and
// transient (org.nspasteboard.ConcealedType and TransientType, the marks
// password managers set, which Maccy, Alfred, Raycast and Paste honour);
// reading is pbpaste's, through atotto/clipboard.
func New() (Clipboard, error) { return pasteboard{}, nil }

type pasteboard struct{}

func (pasteboard) ReadAll() (string, error) { return clipboard.ReadAll() }

// markedCopy is JavaScript for Automation: it reads the text from stdin
// (never from its arguments) and puts it on the general pasteboard beside
// the two marks.
const markedCopy = `ObjC.import("AppKit");
function run() {
  const data = $.NSFileHandle.fileHandleWithStandardInput.readDataToEndOfFile;
  const text = $.NSString.alloc.initWithDataEncoding(data, $.NSUTF8StringEncoding);
  const pb = $.NSPasteboard.generalPasteboard;
  pb.clearContents;
  if (text.length > 0) {
    pb.setStringForType(text, "public.utf8-plain-text");
    pb.setStringForType("", "org.nspasteboard.ConcealedType");
    pb.setStringForType("", "org.nspasteboard.TransientType");
  }
}`

func (pasteboard) WriteAll(text string) error {
	cmd := exec.Command("osascript", "-l", "JavaScript", "-e", markedCopy)
	cmd.Stdin = strings.NewReader(text)
	if err := cmd.Run(); err != nil {
		// Without osascript (a locked-down Mac) the copy still works,
		// unmarked.
		return clipboard.WriteAll(text)
	}
	return nil
}
