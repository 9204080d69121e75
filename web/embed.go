// Package web holds the browser side: the softphone page and the JS library. The
// engine serves these files on its own origin.
package web

import "embed"

// Files are the static files served at / by the control API.
//
//go:embed index.html app.js style.css
var Files embed.FS
