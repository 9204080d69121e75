// Package web holds the browser side: the softphone page and the JS library
// (lib/). The engine serves these files on its own origin, so an approved site can
// also load the library from http://127.0.0.1:18620/lib/wpservice.js.
package web

import "embed"

// Files are the static files served at / by the control API.
//
//go:embed index.html app.js app/*.js style.css lib/*.js lib/*.css
var Files embed.FS
