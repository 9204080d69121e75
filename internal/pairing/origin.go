package pairing

import (
	"fmt"

	"github.com/wpservice/wpservice/internal/origin"
)

// canonical returns the canonical form of a web origin (see package origin), the key
// of every table in the store and of the pairing file; it fails with ErrBadOrigin.
func canonical(s string) (string, error) {
	o, err := origin.Parse(s)
	if err != nil {
		return "", fmt.Errorf("%w: %w", ErrBadOrigin, err)
	}
	return o.String(), nil
}
