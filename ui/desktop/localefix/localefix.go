// Package localefix keeps Fyne quiet under a "C.UTF-8" locale, the default
// of many containers and CI images. Fyne's lang package parses the locale in
// its init and, for C.UTF-8, logs "Fyne error: Error parsing user locale C"
// to stderr: in the one tokentray binary that would garble every CLI call.
// The C locale means untranslated, which is English, so when no other
// language is asked for this sets LANGUAGE=en, which go-locale reads first.
//
// It works by init order: Go initialises ready packages sorted by import
// path, and this one (standard library imports only) sorts before
// golang.org/x/text, which Fyne's lang package waits for. ui/desktop
// imports it; the end-to-end test checks that the binary stays quiet.
package localefix

import (
	"os"
	"strings"
)

func init() {
	if os.Getenv("LANGUAGE") != "" {
		return
	}
	for _, k := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		v := os.Getenv(k)
		if v == "" {
			continue
		}
		if base, _, _ := strings.Cut(v, "."); (base == "C" || base == "POSIX") && v != base {
			os.Setenv("LANGUAGE", "en")
		}
		return
	}
}
