//go:build ignore

// gen draws tokentray's icons: `go generate ./assets` (or go run gen.go)
// writes icon.png (the app icon, 512 px), tray.png (the tray icon, 64 px),
// tray-alert.png (the tray icon when a profile needs attention)
// and hicolor/N.png (the app icon at the icon theme's sizes).
// Shapes are signed distance functions sampled 4×4 per pixel, so edges are
// anti-aliased without any image library beyond the standard one.
//
// The motif: a key inside a ring that is three quarters full, a token and
// its remaining lifetime.
package main

import (
	"fmt"
	"image"
	"image/color"
	"image/png"
	"log"
	"math"
	"os"
)

type rgba struct{ r, g, b, a float64 } // premultiplied, 0..1

func over(dst, src rgba) rgba {
	k := 1 - src.a
	return rgba{src.r + dst.r*k, src.g + dst.g*k, src.b + dst.b*k, src.a + dst.a*k}
}

func solid(r, g, b uint8, a float64) rgba {
	return rgba{float64(r) / 255 * a, float64(g) / 255 * a, float64(b) / 255 * a, a}
}

// Signed distances (negative inside), in units of the icon's size (0..1).
func circle(x, y, cx, cy, r float64) float64 { return math.Hypot(x-cx, y-cy) - r }

func box(x, y, cx, cy, hw, hh, rad float64) float64 {
	dx := math.Abs(x-cx) - hw + rad
	dy := math.Abs(y-cy) - hh + rad
	out := math.Hypot(math.Max(dx, 0), math.Max(dy, 0))
	return out + math.Min(math.Max(dx, dy), 0) - rad
}

// arc is a ring of radius r and width w from angle a0 to a1 (radians,
// clockwise from 12 o'clock) with round caps.
func arc(x, y, cx, cy, r, w, a0, a1 float64) float64 {
	dx, dy := x-cx, y-cy
	a := math.Atan2(dx, -dy) // 0 at 12 o'clock, clockwise
	if a < 0 {
		a += 2 * math.Pi
	}
	if a >= a0 && a <= a1 {
		return math.Abs(math.Hypot(dx, dy)-r) - w/2
	}
	d := math.Inf(1)
	for _, e := range []float64{a0, a1} {
		ex, ey := cx+r*math.Sin(e), cy-r*math.Cos(e)
		d = math.Min(d, math.Hypot(x-ex, y-ey))
	}
	return d - w/2
}

func union(d ...float64) float64 {
	m := d[0]
	for _, x := range d[1:] {
		m = math.Min(m, x)
	}
	return m
}

func subtract(a, b float64) float64 { return math.Max(a, -b) }

// key is a key lying diagonally, head at the upper left.
func key(x, y, cx, cy, s float64) float64 {
	// rotate by -45° around the centre so the key can be drawn horizontally
	dx, dy := x-cx, y-cy
	c := math.Cos(math.Pi / 4)
	u, v := (dx+dy)*c, (dy-dx)*c
	u, v = u/s, v/s
	head := subtract(circle(u, v, -0.55, 0, 0.42), circle(u, v, -0.55, 0, 0.16))
	shaft := box(u, v, 0.35, 0, 0.55, 0.1, 0.05)
	tooth1 := box(u, v, 0.62, 0.2, 0.07, 0.14, 0.03)
	tooth2 := box(u, v, 0.82, 0.17, 0.07, 0.11, 0.03)
	return union(head, shaft, tooth1, tooth2) * s
}

func render(size int, shade func(x, y float64) rgba) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, size, size))
	const ss = 4
	for py := 0; py < size; py++ {
		for px := 0; px < size; px++ {
			var acc rgba
			for sy := 0; sy < ss; sy++ {
				for sx := 0; sx < ss; sx++ {
					x := (float64(px) + (float64(sx)+0.5)/ss) / float64(size)
					y := (float64(py) + (float64(sy)+0.5)/ss) / float64(size)
					c := shade(x, y)
					acc.r += c.r
					acc.g += c.g
					acc.b += c.b
					acc.a += c.a
				}
			}
			n := float64(ss * ss)
			a := acc.a / n
			if a <= 0 {
				continue
			}
			img.SetNRGBA(px, py, color.NRGBA{
				R: uint8(math.Round(acc.r / n / a * 255)),
				G: uint8(math.Round(acc.g / n / a * 255)),
				B: uint8(math.Round(acc.b / n / a * 255)),
				A: uint8(math.Round(a * 255)),
			})
		}
	}
	return img
}

func cover(d float64) float64 {
	if d < 0 {
		return 1
	}
	return 0
}

var (
	white  = solid(255, 255, 255, 1)
	track  = solid(255, 255, 255, 0.28)
	indigo = [2][3]float64{{0x4f, 0x46, 0xe5}, {0x7c, 0x3a, 0xed}} // top-left to bottom-right
	amber  = solid(0xfb, 0xbf, 0x24, 1)
	red    = solid(0xdc, 0x26, 0x26, 1)
)

func gradient(x, y float64) rgba {
	t := math.Min(math.Max((x+y)/2, 0), 1)
	c := func(i int) uint8 { return uint8(indigo[0][i] + (indigo[1][i]-indigo[0][i])*t) }
	return solid(c(0), c(1), c(2), 1)
}

func layer(dst, src rgba, coverage float64) rgba {
	return over(dst, rgba{src.r * coverage, src.g * coverage, src.b * coverage, src.a * coverage})
}

// badge draws the ring and the key on the gradient background shape bg.
func badge(x, y float64, bg, ringR, ringW, keyS float64) rgba {
	var c rgba
	c = layer(c, gradient(x, y), cover(bg))
	c = layer(c, track, cover(arc(x, y, 0.5, 0.5, ringR, ringW, 0, 2*math.Pi)))
	c = layer(c, white, cover(arc(x, y, 0.5, 0.5, ringR, ringW, 0, 1.5*math.Pi)))
	c = layer(c, amber, cover(circle(x, y, 0.5+ringR*math.Sin(1.5*math.Pi), 0.5-ringR*math.Cos(1.5*math.Pi), ringW*0.62)))
	c = layer(c, white, cover(key(x, y, 0.5, 0.5, keyS)))
	return c
}

func write(name string, img image.Image) {
	f, err := os.Create(name)
	if err != nil {
		log.Fatal(err)
	}
	if err := png.Encode(f, img); err != nil {
		log.Fatal(err)
	}
	if err := f.Close(); err != nil {
		log.Fatal(err)
	}
}

func main() {
	write("icon.png", render(512, func(x, y float64) rgba {
		return badge(x, y, box(x, y, 0.5, 0.5, 0.44, 0.44, 0.1), 0.285, 0.055, 0.22)
	}))
	// The same icon at the icon theme's usual sizes, for `make install`
	// (share/icons/hicolor/NxN/apps/).
	if err := os.MkdirAll("hicolor", 0o755); err != nil {
		log.Fatal(err)
	}
	for _, n := range []int{16, 24, 32, 48, 64, 128, 256, 512} {
		write(fmt.Sprintf("hicolor/%d.png", n), render(n, func(x, y float64) rgba {
			return badge(x, y, box(x, y, 0.5, 0.5, 0.44, 0.44, 0.1), 0.285, 0.055, 0.22)
		}))
	}
	// The tray icon fills its square: panels draw it at 16 to 32 px.
	write("tray.png", render(64, func(x, y float64) rgba {
		return badge(x, y, circle(x, y, 0.5, 0.5, 0.5), 0.385, 0.11, 0.28)
	}))
	// The same with a red dot: some profile needs a sign-in or its last
	// refresh failed.
	write("tray-alert.png", render(64, func(x, y float64) rgba {
		c := badge(x, y, circle(x, y, 0.5, 0.5, 0.5), 0.385, 0.11, 0.28)
		c = layer(c, white, cover(circle(x, y, 0.8, 0.2, 0.2)))
		return layer(c, red, cover(circle(x, y, 0.8, 0.2, 0.155)))
	}))
}
