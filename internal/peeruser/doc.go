// Package peeruser keeps other users of a shared computer (terminal servers,
// Citrix, a shared Mac) away from a loopback TCP listener: its Listener drops a
// connection whose other end belongs to another operating-system user.
//
// Loopback is shared by every session of the machine, so without this a program of
// another user could reach the engine's API; browsers of that user are already held
// off by the Origin and pairing checks, programs by the token file (readable by its
// owner only). This is the second lock on the door.
//
// On Linux the owner of the client's socket is read from /proc/net/tcp and tcp6.
// Elsewhere, and when the owner cannot be found, connections pass unchanged.
package peeruser
