// Command gendocs writes tokentray's man pages from its cobra commands, for
// `make install`: go run ./internal/gendocs DIR. It is a program of its own
// so that the command line links no documentation generator.
package main

import (
	"fmt"
	"os"

	"github.com/spf13/cobra/doc"
	"github.com/tokentray/tokentray/internal/version"
	"github.com/tokentray/tokentray/ui/cli"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: gendocs DIR")
		os.Exit(2)
	}
	if err := os.MkdirAll(os.Args[1], 0o755); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	root := (&cli.App{}).Command()
	root.DisableAutoGenTag = true // reproducible pages
	hdr := &doc.GenManHeader{Title: "TOKENTRAY", Section: "1", Source: "tokentray " + version.Release, Manual: "tokentray manual"}
	if err := doc.GenManTree(root, hdr, os.Args[1]); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
