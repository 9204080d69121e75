package accountstore

import "errors"

var (
	// ErrCorrupt: the account file cannot be decoded.
	ErrCorrupt = errors.New("accountstore: corrupt account file")
	// ErrNewerFormat: the account file was written by a newer release. It is neither
	// read nor overwritten, so going back to that release finds it intact.
	ErrNewerFormat = errors.New("accountstore: account file from a newer release")
)
