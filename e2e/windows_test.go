package e2e

import (
	"bytes"
	"debug/pe"
	"encoding/json"
	"fmt"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/tc-hib/winres"
	"github.com/tc-hib/winres/version"
	"golang.org/x/image/draw"

	tokenversion "github.com/tokentray/tokentray/internal/version"
)

// The Windows executables `make windows` cross-builds (make test builds
// them and sets $TOKENTRAY_WINDOWS) are what Explorer and Windows expect:
// amd64, the command line a console program and the tray app a windowsgui
// one (no console window opens with it), each with tokentray's icon at the
// sizes Explorer shows, a version resource naming the release, and a
// manifest. Wine cannot run Go ≥ 1.24 programs here, so the files are read,
// not run.
func TestWindowsExecutables(t *testing.T) {
	dir := os.Getenv("TOKENTRAY_WINDOWS")
	if dir == "" {
		msg := "TOKENTRAY_WINDOWS is unset: make test builds the Windows executables (make windows) and sets it"
		if os.Getenv("CI") != "" {
			t.Fatal(msg) // CI runs make test: a Windows build must not go unchecked there
		}
		t.Skip(msg)
	}
	_, file, _, _ := runtime.Caller(0)
	icon := decodePNG(t, filepath.Join(filepath.Dir(filepath.Dir(file)), "assets", "icon.png"))
	for _, tc := range []struct {
		name, description string
		subsystem         uint16
	}{
		{"tokentray.exe", "tokentray command line", pe.IMAGE_SUBSYSTEM_WINDOWS_CUI},
		{"tokentray-gui.exe", "tokentray tray app", pe.IMAGE_SUBSYSTEM_WINDOWS_GUI},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(dir, tc.name)
			f, err := pe.Open(path)
			require.NoError(t, err)
			defer f.Close()
			require.Equal(t, uint16(pe.IMAGE_FILE_MACHINE_AMD64), f.Machine)
			oh, ok := f.OptionalHeader.(*pe.OptionalHeader64)
			require.True(t, ok, "a PE32+ (64-bit) image")
			require.Equal(t, tc.subsystem, oh.Subsystem, "subsystem (2 windowsgui, 3 console)")
			require.NotNil(t, f.Section(".rsrc"), "a resource section")

			r, err := os.Open(path)
			require.NoError(t, err)
			defer r.Close()
			rs, err := winres.LoadFromEXE(r)
			require.NoError(t, err)

			// The icon group Explorer shows, and each of its images is
			// assets/icon.png (go-winres's own icon would not be).
			groups := 0
			rs.WalkType(winres.RT_GROUP_ICON, func(winres.Identifier, uint16, []byte) bool { groups++; return true })
			require.Equal(t, 1, groups, "one RT_GROUP_ICON")
			sizes := map[int]bool{}
			rs.WalkType(winres.RT_ICON, func(_ winres.Identifier, _ uint16, data []byte) bool {
				img, err := png.Decode(bytes.NewReader(data))
				require.NoError(t, err, "icon images are PNG")
				b := img.Bounds()
				require.Equal(t, b.Dx(), b.Dy())
				sizes[b.Dx()] = true
				requireLooksLike(t, icon, img)
				return true
			})
			for _, s := range []int{16, 32, 48, 256} {
				require.True(t, sizes[s], "a %dx%d icon image (have %v)", s, s, sizes)
			}

			var vi *version.Info
			rs.WalkType(winres.RT_VERSION, func(_ winres.Identifier, _ uint16, data []byte) bool {
				vi, err = version.FromBytes(data)
				require.NoError(t, err)
				return false
			})
			require.NotNil(t, vi, "a VERSIONINFO resource")
			// The fixed version Windows sorts by, from the release:
			// 0.1.0 is 0.1.0.0.
			var want [4]uint16
			for i, n := range releaseNumbers(t) {
				want[i] = n
			}
			require.Equal(t, want, vi.ProductVersion)
			require.Equal(t, want, vi.FileVersion)
			// The strings of the Details tab (there is no exported
			// getter: its JSON form is the documented one).
			js, err := json.Marshal(vi)
			require.NoError(t, err)
			var info struct{ Info map[string]map[string]string }
			require.NoError(t, json.Unmarshal(js, &info))
			strs := info.Info["0409"]
			require.NotNil(t, strs, "en-US strings in %s", js)
			require.Equal(t, tokenversion.Release, strs[version.ProductVersion])
			require.Equal(t, tokenversion.Release, strs[version.FileVersion])
			require.Equal(t, "tokentray", strs[version.ProductName])
			require.Equal(t, tc.description, strs[version.FileDescription])
			require.Equal(t, tc.name, strs[version.OriginalFilename])

			n := 0
			rs.WalkType(winres.RT_MANIFEST, func(winres.Identifier, uint16, []byte) bool { n++; return true })
			require.Equal(t, 1, n, "an application manifest")
		})
	}
}

func decodePNG(t *testing.T, path string) image.Image {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	img, err := png.Decode(f)
	require.NoError(t, err)
	return img
}

// releaseNumbers is internal/version.Release as numbers: "0.1.0" is 0 1 0.
func releaseNumbers(t *testing.T) []uint16 {
	t.Helper()
	var a, b, c uint16
	_, err := fmt.Sscanf(tokenversion.Release, "%d.%d.%d", &a, &b, &c)
	require.NoError(t, err, "Release %q is MAJOR.MINOR.PATCH", tokenversion.Release)
	return []uint16{a, b, c}
}

// requireLooksLike fails unless got is want scaled to got's size: the mean
// difference per channel is small (resampling filters differ), where a
// different picture differs by far more.
func requireLooksLike(t *testing.T, want, got image.Image) {
	t.Helper()
	b := got.Bounds()
	scaled := image.NewNRGBA(b)
	draw.CatmullRom.Scale(scaled, b, want, want.Bounds(), draw.Src, nil)
	var sum, n float64
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r1, g1, b1, a1 := scaled.At(x, y).RGBA()
			r2, g2, b2, a2 := got.At(x, y).RGBA()
			for _, d := range [][2]uint32{{r1, r2}, {g1, g2}, {b1, b2}, {a1, a2}} {
				diff := float64(d[0]) - float64(d[1])
				if diff < 0 {
					diff = -diff
				}
				sum += diff / 0xffff
				n++
			}
		}
	}
	require.Less(t, sum/n, 0.03, "the %dx%d icon image is assets/icon.png", b.Dx(), b.Dy())
}
