// Package e2e holds the end-to-end tests: the real wpservice binary, driven only through
// its WebSocket, against real SIP peers (kamailio, baresip, SIPp) on 127.0.0.1.
package e2e
