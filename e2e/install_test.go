package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/tokentray/tokentray/internal/version"
)

// `make build` then `make install DESTDIR=… PREFIX=/usr` (install only
// copies, so it runs as root without Go) puts every file where the desktop
// and the shells look, each usable: the entry passes desktop-file-validate,
// the man page renders, the installed command runs; `make uninstall`
// removes them all.
func TestMakeInstall(t *testing.T) {
	_, file, _, _ := runtime.Caller(0)
	repo := filepath.Dir(filepath.Dir(file))
	dest := t.TempDir()
	make := func(target string) {
		t.Helper()
		cmd := exec.Command("make", "-C", repo, target, "DESTDIR="+dest, "PREFIX=/usr")
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, "make %s:\n%s", target, out)
	}
	make("build")
	make("install")
	usr := filepath.Join(dest, "usr")
	const id = "io.github.tokentray.tokentray"
	want := []string{
		"bin/tokentray", "bin/tokentray-gui",
		"share/applications/" + id + ".desktop",
		"share/metainfo/" + id + ".metainfo.xml",
		"share/man/man1/tokentray.1", "share/man/man1/tokentray-token.1",
		"share/bash-completion/completions/tokentray",
		"share/zsh/site-functions/_tokentray",
		"share/fish/vendor_completions.d/tokentray.fish",
	}
	for _, n := range []string{"16", "24", "32", "48", "64", "128", "256", "512"} {
		want = append(want, "share/icons/hicolor/"+n+"x"+n+"/apps/"+id+".png")
	}
	for _, f := range want {
		st, err := os.Stat(filepath.Join(usr, f))
		require.NoError(t, err, f)
		require.NotZero(t, st.Size(), f)
	}
	for _, b := range []string{"bin/tokentray", "bin/tokentray-gui"} {
		st, _ := os.Stat(filepath.Join(usr, b))
		require.NotZero(t, st.Mode()&0o111, "%s is executable", b)
	}

	out, err := exec.Command("desktop-file-validate", filepath.Join(usr, "share/applications", id+".desktop")).CombinedOutput()
	require.NoError(t, err, "%s", out)
	require.Empty(t, strings.TrimSpace(string(out)), "no errors, warnings or hints")

	man := exec.Command("man", "-l", filepath.Join(usr, "share/man/man1/tokentray.1"))
	man.Env = append(os.Environ(), "MANPAGER=cat", "MANWIDTH=400")
	page, err := man.Output()
	require.NoError(t, err)
	require.Contains(t, string(page), "TOKENTRAY(1)")
	require.Contains(t, string(page), "tokentray-token(1)", "the page names the subcommands' pages")

	bash, err := os.ReadFile(filepath.Join(usr, "share/bash-completion/completions/tokentray"))
	require.NoError(t, err)
	require.Contains(t, string(bash), "__start_tokentray")
	v, err := exec.Command(filepath.Join(usr, "bin/tokentray"), "--version").Output()
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(string(v), "tokentray "), "%s", v)

	// make dist packs the same files under usr/local.
	make("dist")
	archive := filepath.Join(repo, "dist", "tokentray-"+version.Release+"-linux-amd64.tar.gz")
	list, err := exec.Command("tar", "-tzf", archive).Output()
	require.NoError(t, err)
	for _, f := range []string{"usr/local/bin/tokentray", "usr/local/bin/tokentray-gui", "usr/local/share/applications/" + id + ".desktop", "usr/local/share/man/man1/tokentray.1"} {
		require.Contains(t, string(list), f+"\n")
	}

	make("uninstall")
	var left []string
	filepath.WalkDir(dest, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			left = append(left, p)
		}
		return nil
	})
	require.Empty(t, left, "make uninstall removes every file")
}
