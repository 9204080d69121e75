package main

import "errors"

var (
	// errBadLine reports an input line that is not the JSON object expected.
	errBadLine = errors.New("bad line")

	// errUnknownCommand reports a command name peerd does not know.
	errUnknownCommand = errors.New("unknown command")

	// errNotStarted reports a command for a peer the start line did not ask for.
	errNotStarted = errors.New("not started")

	// errTimeout reports a wait that ended before what it waited for happened.
	errTimeout = errors.New("timed out")

	// errSIPpFailed reports a SIPp run that did not exit with 0.
	errSIPpFailed = errors.New("sipp failed")

	// errSegment reports an audio segment that is empty or outside the file.
	errSegment = errors.New("bad audio segment")
)
