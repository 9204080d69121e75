//go:build !linux

package main

// belowUs does nothing: real-time scheduling is Linux's (rt_linux.go).
func belowUs(int) {}
