//go:build !linux && !darwin && !windows

package netwatch

import (
	"context"
	"errors"
)

// listen has no notification source here: Run polls instead.
func listen(context.Context, chan<- struct{}) (stop func(), err error) {
	return nil, errors.New("netwatch: no change notifications on this system")
}
