//go:build !linux

package dsp

import "time"

// threadCPU is not measured here: the benchmarks report wall time only.
func threadCPU() (time.Duration, bool) { return 0, false }
