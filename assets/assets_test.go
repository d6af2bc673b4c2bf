package assets

import (
	"bytes"
	"image/png"
	"testing"
)

func TestIconsArePNGsOfTheirSize(t *testing.T) {
	for _, tc := range []struct {
		name string
		data []byte
		size int
	}{{"icon", iconPNG, 512}, {"tray", trayPNG, 64}} {
		img, err := png.Decode(bytes.NewReader(tc.data))
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if b := img.Bounds(); b.Dx() != tc.size || b.Dy() != tc.size {
			t.Fatalf("%s is %v, want %d px square", tc.name, b, tc.size)
		}
		// The corner is transparent and the centre is not: a badge, not a square.
		if _, _, _, a := img.At(0, 0).RGBA(); a != 0 {
			t.Errorf("%s: opaque corner", tc.name)
		}
		if _, _, _, a := img.At(tc.size/2, tc.size/2).RGBA(); a == 0 {
			t.Errorf("%s: transparent centre", tc.name)
		}
	}
}
