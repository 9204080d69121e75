package testpeer

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
)

// MaxNetstring bounds one ctrl_tcp message; baresip's longest replies (help,
// call lists) are a few kilobytes.
const MaxNetstring = 1 << 20

// maxLengthDigits is the most digits a length prefix up to MaxNetstring has.
var maxLengthDigits = len(strconv.Itoa(MaxNetstring))

// writeNetstring writes payload as "LEN:payload,".
func writeNetstring(w io.Writer, payload []byte) error {
	_, err := fmt.Fprintf(w, "%d:%s,", len(payload), payload)
	return err
}

// readNetstring reads one "LEN:payload," from r and returns the payload.
// It returns io.EOF only on a clean end between netstrings.
func readNetstring(r *bufio.Reader) ([]byte, error) {
	n, digits := 0, 0
	for {
		c, err := r.ReadByte()
		if err != nil {
			if err == io.EOF && digits > 0 {
				return nil, fmt.Errorf("%w: end of stream in length", ErrNetstring)
			}
			return nil, err
		}
		if c == ':' {
			break
		}
		if c < '0' || c > '9' {
			return nil, fmt.Errorf("%w: byte %q in length", ErrNetstring, c)
		}
		if digits > 0 && n == 0 {
			return nil, fmt.Errorf("%w: leading zero in length", ErrNetstring)
		}
		digits++
		if digits > maxLengthDigits {
			return nil, ErrNetstringTooLong
		}
		n = n*10 + int(c-'0')
	}
	if digits == 0 {
		return nil, fmt.Errorf("%w: empty length", ErrNetstring)
	}
	if n > MaxNetstring {
		return nil, ErrNetstringTooLong
	}
	buf := make([]byte, n+1)
	if _, err := io.ReadFull(r, buf); err != nil {
		return nil, fmt.Errorf("%w: truncated payload: %v", ErrNetstring, err)
	}
	if buf[n] != ',' {
		return nil, fmt.Errorf("%w: payload not followed by ','", ErrNetstring)
	}
	return buf[:n], nil
}
