package main

import (
	"encoding/binary"
	"os"
	"strings"
	"testing"
)

const sampleSmaps = `00400000-00402000 r--p 00000000 08:01 1234                               /opt/wp service/wpservice
Size:                  8 kB
Rss:                   8 kB
Anonymous:             0 kB
VmFlags: rd mr mw me dw sd
00402000-009bf000 r-xp 00002000 08:01 1234                               /opt/wp service/wpservice
Size:               5876 kB
Rss:                5556 kB
Pss:                5556 kB
Anonymous:             0 kB
VmFlags: rd ex mr mw me dw sd
009bf000-00fe1000 r--p 005bf000 08:01 1234                               /opt/wp service/wpservice
Rss:                   0 kB
Anonymous:             0 kB
00fe1000-00fe2000 r--p 00be0000 08:01 1234                               /opt/wp service/wpservice
Rss:                   4 kB
Anonymous:             4 kB
00fe2000-01000000 rw-p 00be1000 08:01 1234                               /opt/wp service/wpservice
Rss:                 384 kB
Anonymous:            84 kB
01000000-01060000 rw-p 00c00000 08:01 1234                               /opt/wp service/wpservice
Rss:                   4 kB
Anonymous:             0 kB
01060000-01080000 rw-p 00000000 00:00 0                                  [heap]
Rss:                  64 kB
Anonymous:            64 kB
7f0000000000-7f0000020000 r-xp 00000000 08:01 99                         /usr/lib/x86_64-linux-gnu/libc.so.6
Rss:                 128 kB
Anonymous:             0 kB
7f0000020000-7f0000030000 r--p 00000000 08:01 1234                       /opt/wp service/wpservice (deleted)
Rss:                  64 kB
Anonymous:             0 kB
7f1000000000-7f1000001000 rw-p 00000000 00:00 0 
Rss:                   4 kB
Anonymous:             4 kB
`

// Only the executable's read-only regions whose resident pages are all the file's
// are trimmed: not its RELRO (read-only, but written once), not its data (even
// where none of it was written yet), not the heap, not a library, and not a region with nothing resident.
func TestFileMappingsTakesOnlyTheExecutablesUnwrittenReadOnlyRegions(t *testing.T) {
	got, err := fileMappings(strings.NewReader(sampleSmaps), "/opt/wp service/wpservice")
	if err != nil {
		t.Fatal(err)
	}
	want := []mapping{{0x400000, 0x402000, 8 << 10}, {0x402000, 0x9bf000, 5556 << 10}}
	if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] {
		t.Fatalf("fileMappings = %+v, want %+v", got, want)
	}

	// a replaced executable is still the one mapped, under its new name
	got, _ = fileMappings(strings.NewReader(sampleSmaps), "/opt/wp service/wpservice (deleted)")
	if len(got) != 1 || got[0] != (mapping{0x7f0000020000, 0x7f0000030000, 64 << 10}) {
		t.Fatalf("fileMappings of the deleted file = %+v", got)
	}
}

// TestTrimExecutableGivesBackTheCode trims this test binary: its code and read-only
// data leave the resident set, and the process runs on (this test goes on running
// code that was trimmed, and reads its own memory map to check). Reading the map
// pages back in what it runs, with the whole large folio around each page where the
// kernel caches the file in large folios, so only part of the trim is still seen.
func TestTrimExecutableGivesBackTheCode(t *testing.T) {
	before := residentExecutable(t)
	if before < 2<<20 {
		t.Skipf("only %d KiB of the test binary is resident: nothing worth trimming", before>>10)
	}
	released, err := trimExecutable()
	if err != nil {
		t.Fatal(err)
	}
	after := residentExecutable(t)
	t.Logf("resident executable pages: %d KiB before, %d KiB released, %d KiB after", before>>10, released>>10, after>>10)
	if released < before/2 || after > before-before/8 {
		t.Errorf("resident executable pages: %d KiB before, %d KiB released, %d KiB after: want an eighth of them gone at least",
			before>>10, released>>10, after>>10)
	}
}

// residentExecutable is how many bytes of the executable's read-only regions are
// mapped in this process now, from /proc/self/pagemap's present bits.
func residentExecutable(t *testing.T) int64 {
	t.Helper()
	exe, err := os.Readlink("/proc/self/exe")
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open("/proc/self/smaps")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	maps, err := fileMappings(f, exe)
	if err != nil {
		t.Fatal(err)
	}
	pm, err := os.Open("/proc/self/pagemap")
	if err != nil {
		t.Fatal(err)
	}
	defer pm.Close()
	page := int64(os.Getpagesize())
	var n int64
	for _, m := range maps {
		entries := make([]byte, (int64(m.end-m.start)/page)*8)
		if _, err := pm.ReadAt(entries, int64(m.start)/page*8); err != nil {
			t.Fatal(err)
		}
		for i := 0; i < len(entries); i += 8 {
			if binary.LittleEndian.Uint64(entries[i:])>>63 == 1 {
				n += page
			}
		}
	}
	return n
}
