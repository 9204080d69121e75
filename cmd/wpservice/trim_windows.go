package main

import "golang.org/x/sys/windows"

// trimExecutable empties the engine's working set, as a desktop application does
// after initialisation (EmptyWorkingSet): Windows moves the pages to its standby
// list, where they stay in memory, and the next touch of one maps it back with a
// soft fault, no disk read. Unlike the Linux trim it takes the heap too; an idle
// engine touches little of either. It reports no byte count.
func trimExecutable() (int64, error) {
	// (SIZE_T)-1 for both bounds: remove as many pages as possible.
	return 0, windows.SetProcessWorkingSetSizeEx(windows.CurrentProcess(), ^uintptr(0), ^uintptr(0), 0)
}
