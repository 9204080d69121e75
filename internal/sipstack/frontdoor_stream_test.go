package sipstack

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestStreamCutsMessages: whatever the reads, a stream yields the same pieces: a
// ping, whole messages with their bodies, the headers alone of one too large (its
// body discarded), and nothing after a message without a Content-Length.
func TestStreamCutsMessages(t *testing.T) {
	msg := func(body string) string {
		return "OPTIONS sip:a@127.0.0.1 SIP/2.0\r\nContent-Length: " + strconv.Itoa(len(body)) + "\r\n\r\n" + body
	}
	large := msg(strings.Repeat("x", maxRequest))
	head, _, _ := strings.Cut(large, "\r\n\r\n")
	input := "\r\n\r\n" + msg("") + "\r\n" + msg("body") + large + msg("after") +
		"OPTIONS sip:a@127.0.0.1 SIP/2.0\r\n\r\n" + msg("lost")
	want := []string{"\r\n\r\n", msg(""), msg("body"), head + "\r\n\r\n", msg("after"), "OPTIONS sip:a@127.0.0.1 SIP/2.0\r\n\r\n"}

	for _, size := range []int{1, 7, 1500, len(input)} {
		got, s := cut(input, size)
		if len(got) != len(want) {
			t.Fatalf("reads of %d: %d pieces, want %d", size, len(got), len(want))
		}
		for i := range want {
			if got[i] != want[i] {
				t.Fatalf("reads of %d: piece %d is %.60q, want %.60q", size, i, got[i], want[i])
			}
		}
		if !s.lost || !s.inMessage() {
			t.Fatalf("reads of %d: the stream after a message without Content-Length is not lost", size)
		}
	}
}

// cut feeds input to a stream in reads of size bytes and returns the pieces cut.
func cut(input string, size int) ([]string, *stream) {
	s := &stream{}
	var got []string
	for in := input; in != ""; {
		n := min(size, len(in))
		s.add([]byte(in[:n]), time.Now())
		in = in[n:]
		for {
			p, ok, _ := s.next()
			if !ok {
				break
			}
			got = append(got, string(p.data))
		}
	}
	return got, s
}

// FuzzStream: whatever the bytes, a stream fed in reads of any size cuts the same
// pieces as from one read, and never panics. The torture messages, back to back,
// are the seed corpus.
func FuzzStream(f *testing.F) {
	files, _ := filepath.Glob("testdata/torture/*/*.dat")
	var all []byte
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data, uint16(7))
		all = append(all, data...)
	}
	f.Add(all, uint16(1500))
	f.Fuzz(func(t *testing.T, data []byte, size uint16) {
		whole, _ := cut(string(data), len(data)+1)
		parts, _ := cut(string(data), int(size)+1)
		if strings.Join(whole, "|") != strings.Join(parts, "|") {
			t.Fatalf("reads of %d cut %q, one read %q", int(size)+1, parts, whole)
		}
	})
}
