package sipstack

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/emiago/sipgo/sip"
)

// FuzzDoor feeds a datagram through the door's reading of it and on to sipgo's
// parser, as doorPacketConn does: the strict reading (inspect), its stateless
// answer (refusal), the tidying of From and To, and sipgo's ParseMessage never
// panic; a request the door faults gets an answer with that status code (its
// headers are the request's, as they came); and tidying a message twice changes
// nothing more. The
// RFC 4475 and RFC 5118 messages are the seed corpus.
func FuzzDoor(f *testing.F) {
	files, _ := filepath.Glob("testdata/torture/*/*.dat")
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > maxRequest {
			return // the door answers 513 before it reads further
		}
		if _, isRequest := startLine(data); isRequest {
			if fl := inspect(data, false); fl != nil {
				res := refusal(data, false)
				want := fmt.Sprintf("SIP/2.0 %d ", fl.code)
				if !strings.HasPrefix(string(res), want) || !strings.HasSuffix(string(res), "\r\n\r\n") {
					t.Fatalf("refusal of %q is %q, want a %d", data, res, fl.code)
				}
				_, _ = sip.ParseMessage(res)
			}
		}
		once := tidyAddresses(data)
		if twice := tidyAddresses(once); string(twice) != string(once) {
			t.Fatalf("tidying again changed %q into %q", once, twice)
		}
		_, _ = sip.ParseMessage(once)
	})
}
