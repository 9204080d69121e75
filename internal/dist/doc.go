// Package dist tests the release artefacts that installer/dist.sh builds (make dist):
// the Debian package installed and purged with dpkg, the Windows engine run under
// wine with a call to baresip, and the per-user Windows installer installed and
// uninstalled silently in a fresh wine prefix. It has no code of its own.
package dist
