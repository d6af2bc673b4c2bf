//go:build !linux

// Package kernelkeys names and clears tokentray's keys in the Linux
// kernel's key store; elsewhere there is none and it does nothing.
package kernelkeys

// Scope is the start of the names of the keys under locks.
func Scope(locks string) string { return "" }

// DropScope does nothing: only Linux has the kernel key store.
func DropScope(locks string) {}

// DropPrefix does nothing: only Linux has the kernel key store.
func DropPrefix(prefix string) {}
