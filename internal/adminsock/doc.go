// Package adminsock is the engine's owner-only admin channel: the local
// endpoint the wpservice CLI (pairing approval and other admin verbs) uses to
// reach the running engine. It is never a TCP socket, because any web page
// and any local user can reach loopback TCP; instead the operating system
// itself restricts the channel to the user who runs the engine.
//
// The engine serves its control handler on the listener from Listen; the CLI
// connects with Dial. DefaultPath names the per-user endpoint both agree on.
//
// What the package guarantees, per OS:
//
// Linux and the BSDs: a Unix domain socket at
// $XDG_RUNTIME_DIR/wpservice/admin.sock (when that runtime directory is owner
// only) or <user config dir>/wpservice/admin.sock.
//   - The socket's directory is created 0700 and must stay owner-only: a
//     directory that is a symlink, belongs to another user or grants any
//     group/other access is refused, as is a symlink at the socket path.
//   - The socket is bound inside that directory and set to 0600, so at no
//     moment can another user open it.
//   - A socket left by a dead engine is replaced; a live engine is never
//     displaced (ErrInUse). Close removes the socket file it created.
//   - Defence in depth: Accept reads every peer's uid from the kernel
//     (SO_PEERCRED on Linux, LOCAL_PEERCRED on macOS and FreeBSD) and drops,
//     with a warning in the log, any connection that is not from the engine's
//     own user, even if the file modes were loosened by hand. Where the OS
//     has no peer credentials every connection is refused.
//   - Paths longer than sun_path allows are refused with ErrPathTooLong
//     instead of the kernel's bare EINVAL.
//
// macOS: the same Unix socket guarantees, at
// ~/Library/Application Support/wpservice/admin.sock.
//
// Windows: a named pipe \\.\pipe\wpservice-<user SID> created with the
// protected security descriptor D:P(A;;GA;;;<user SID>): only the current
// user has access (no Everyone, no Network, no other user), and remote
// clients are rejected. Creating the pipe fails with ErrInUse when the name
// already exists (FILE_FLAG_FIRST_PIPE_INSTANCE), so a pipe pre-created by
// someone else is never shared; and from Listen to Close the listener always
// holds an instance waiting for the next client, so the name never lapses for
// someone else to take. Every client is served, the first one included.
//
// On every OS, Dial reports a missing endpoint as ErrNotRunning.
package adminsock
