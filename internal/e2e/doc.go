// Package e2e holds the end-to-end tests: the real wpservice binary, driven only through
// its WebSocket, against real SIP peers (kamailio, baresip, SIPp) on 127.0.0.1, and, for
// the scenarios of a real desk, in a network namespace that stands for another host
// (docs/testing.md).
package e2e
