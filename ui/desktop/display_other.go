//go:build !linux

package desktop

// checkDisplay: macOS and Windows always have their window server.
func checkDisplay() error { return nil }
