package main

import (
	"os"

	"golang.org/x/sys/windows"
)

// The released Windows engine is a GUI program (-H windowsgui), so that its start at
// logon opens no console window. Typed in a console, its commands (version, help,
// pair...) would then print nothing: init gives them the console of the shell that
// started them. Output that is already redirected (a pipe, a file) is left alone.
func init() { attachParentConsole() }

// attachParentProcess is ATTACH_PARENT_PROCESS for AttachConsole.
const attachParentProcess = ^uint32(0)

var procAttachConsole = windows.NewLazySystemDLL("kernel32.dll").NewProc("AttachConsole")

func attachParentConsole() {
	if h, err := windows.GetStdHandle(windows.STD_OUTPUT_HANDLE); err == nil && h != 0 && h != windows.InvalidHandle {
		return // a console program, or output redirected
	}
	if procAttachConsole.Find() != nil {
		return
	}
	if ok, _, _ := procAttachConsole.Call(uintptr(attachParentProcess)); ok == 0 {
		return // started from Explorer or at logon: no console to print to
	}
	con, err := windows.UTF16PtrFromString("CONOUT$")
	if err != nil {
		return
	}
	h, err := windows.CreateFile(con, windows.GENERIC_READ|windows.GENERIC_WRITE, windows.FILE_SHARE_WRITE, nil, windows.OPEN_EXISTING, 0, 0)
	if err != nil {
		return
	}
	out := os.NewFile(uintptr(h), "CONOUT$")
	os.Stdout, os.Stderr = out, out
}
