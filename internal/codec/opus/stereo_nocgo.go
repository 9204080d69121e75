//go:build !cgo

package opus

// Stereo is never built without cgo.
type Stereo struct{}

// NewStereo fails: see the package's cgo build.
func NewStereo() (*Stereo, error) { return nil, ErrUnavailable }

// Lookahead is never called without cgo.
func (*Stereo) Lookahead() int { return 0 }

// Encode fails without cgo.
func (*Stereo) Encode(dst []byte, _ []int16) ([]byte, error) { return dst, ErrUnavailable }

// Decode fails without cgo.
func (*Stereo) Decode(dst []int16, _ []byte) ([]int16, error) { return dst, ErrUnavailable }
