package testpeer

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
)

func TestReadNetstring(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    []string
		wantErr error // after the wanted payloads; io.EOF for a clean end
	}{
		{name: "one", in: `5:hello,`, want: []string{"hello"}, wantErr: io.EOF},
		{name: "two in a row", in: `2:ab,0:,`, want: []string{"ab", ""}, wantErr: io.EOF},
		{name: "json", in: `14:{"event":true},`, want: []string{`{"event":true}`}, wantErr: io.EOF},
		{name: "comma inside", in: `3:a,b,`, want: []string{"a,b"}, wantErr: io.EOF},
		{name: "empty stream", in: ``, wantErr: io.EOF},
		{name: "no comma", in: `3:abcd`, wantErr: ErrNetstring},
		{name: "short payload", in: `10:abc`, wantErr: ErrNetstring},
		{name: "letter in length", in: `1x:a,`, wantErr: ErrNetstring},
		{name: "empty length", in: `:a,`, wantErr: ErrNetstring},
		{name: "leading zero", in: `01:a,`, wantErr: ErrNetstring},
		{name: "end in length", in: `12`, wantErr: ErrNetstring},
		{name: "too long", in: `99999999:`, wantErr: ErrNetstringTooLong},
		{name: "just over the limit", in: `1048577:`, wantErr: ErrNetstringTooLong},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := bufio.NewReader(strings.NewReader(tt.in))
			var got []string
			var err error
			for {
				var p []byte
				if p, err = readNetstring(r); err != nil {
					break
				}
				got = append(got, string(p))
			}
			if !errors.Is(err, tt.wantErr) {
				t.Errorf("error = %v, want %v", err, tt.wantErr)
			}
			if strings.Join(got, "|") != strings.Join(tt.want, "|") || len(got) != len(tt.want) {
				t.Errorf("payloads = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestWriteNetstringRoundTrip(t *testing.T) {
	var buf bytes.Buffer
	payloads := []string{"", "x", `{"command":"dial","params":"sip:a@b","token":"1"}`}
	for _, p := range payloads {
		if err := writeNetstring(&buf, []byte(p)); err != nil {
			t.Fatal(err)
		}
	}
	if got, want := buf.String()[:3], "0:,"; got != want {
		t.Errorf("encoding starts %q, want %q", got, want)
	}
	r := bufio.NewReader(&buf)
	for _, want := range payloads {
		got, err := readNetstring(r)
		if err != nil || string(got) != want {
			t.Fatalf("read %q, %v; want %q", got, err, want)
		}
	}
}

func FuzzReadNetstring(f *testing.F) {
	f.Add([]byte(`5:hello,`))
	f.Add([]byte(`0:,0:,`))
	f.Add([]byte(`50:{"response":true,"ok":true,"data":"","token":"t1"},`))
	f.Add([]byte(`99999999999999999999:`))
	f.Add([]byte(`3:ab`))
	f.Fuzz(func(t *testing.T, in []byte) {
		r := bufio.NewReader(bytes.NewReader(in))
		for range len(in) + 1 {
			p, err := readNetstring(r)
			if err != nil {
				return
			}
			// Whatever parsed must encode and parse back to the same payload.
			var buf bytes.Buffer
			if err := writeNetstring(&buf, p); err != nil {
				t.Fatal(err)
			}
			again, err := readNetstring(bufio.NewReader(&buf))
			if err != nil || !bytes.Equal(again, p) {
				t.Fatalf("round trip of %q: %q, %v", p, again, err)
			}
		}
	})
}
