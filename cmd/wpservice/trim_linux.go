package main

import (
	"bufio"
	"bytes"
	"io"
	"os"
	"strconv"
	"syscall"
)

// trimExecutable drops from the process's resident set the pages of its executable's
// read-only mappings (code and read-only data) and returns how many bytes were
// resident there. The pages stay in the page cache; the next instruction or read that
// needs one maps it back (a minor fault, no disk). Writable mappings, and read-only
// ones that hold private copies (the dynamic linker's RELRO), are left alone: their
// contents are not the file's.
//
// It calls madvise through package syscall, whose code sits beside the runtime's in
// the executable and is resident anyway, so that returning from the call does not page
// in a part of the code an idle engine never runs.
func trimExecutable() (int64, error) {
	exe, err := os.Readlink("/proc/self/exe")
	if err != nil {
		return 0, err
	}
	f, err := os.Open("/proc/self/smaps")
	if err != nil {
		return 0, err
	}
	maps, err := fileMappings(f, exe)
	f.Close()
	if err != nil {
		return 0, err
	}
	var released int64
	for _, m := range maps {
		if _, _, errno := syscall.Syscall(syscall.SYS_MADVISE, m.start, m.end-m.start, syscall.MADV_DONTNEED); errno != 0 {
			return released, errno
		}
		released += m.rss
	}
	return released, nil
}

// mapping is one region of /proc/PID/smaps.
type mapping struct {
	start, end uintptr
	rss        int64 // bytes resident
}

// fileMappings reads smaps and returns the regions that map path read-only and hold
// no anonymous (private, written) page: those whose every resident page is the file's.
func fileMappings(r io.Reader, path string) ([]mapping, error) {
	var (
		out       []mapping
		cur       mapping
		candidate bool // cur maps path, not writable
	)
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		line := sc.Bytes()
		if m, perms, name, ok := regionHeader(line); ok {
			cur, candidate = m, string(name) == path && perms[0] == 'r' && perms[1] != 'w'
			continue
		}
		if !candidate {
			continue
		}
		key, kib, ok := kibField(line)
		switch {
		case !ok:
		case key == "Rss":
			cur.rss = kib << 10
		case key == "Anonymous" && kib == 0 && cur.rss > 0:
			out = append(out, cur)
		}
	}
	return out, sc.Err()
}

// regionHeader parses a line such as
// "00402000-009bf000 r-xp 00002000 08:01 1234      /usr/bin/wpservice": the region,
// its four permission letters and the path, or no path for an anonymous region. The
// path ends in " (deleted)" once the file is replaced, as /proc/self/exe's does.
func regionHeader(line []byte) (m mapping, perms, name []byte, ok bool) {
	var f [5][]byte
	rest := line
	for i := range f {
		rest = bytes.TrimLeft(rest, " ")
		end := bytes.IndexByte(rest, ' ')
		if end < 0 {
			end = len(rest)
		}
		f[i], rest = rest[:end], rest[end:]
	}
	lo, hi, found := bytes.Cut(f[0], []byte{'-'})
	if !found || len(f[1]) != 4 || len(f[4]) == 0 {
		return mapping{}, nil, nil, false
	}
	start, err1 := strconv.ParseUint(string(lo), 16, 64)
	end, err2 := strconv.ParseUint(string(hi), 16, 64)
	if err1 != nil || err2 != nil || end <= start {
		return mapping{}, nil, nil, false
	}
	return mapping{start: uintptr(start), end: uintptr(end)}, f[1], bytes.TrimLeft(rest, " "), true
}

// kibField parses a line such as "Rss:                5556 kB".
func kibField(line []byte) (key string, kib int64, ok bool) {
	k, rest, found := bytes.Cut(line, []byte{':'})
	num, unit, _ := bytes.Cut(bytes.TrimLeft(rest, " "), []byte{' '})
	if !found || string(unit) != "kB" {
		return "", 0, false
	}
	n, err := strconv.ParseInt(string(num), 10, 64)
	return string(k), n, err == nil
}
