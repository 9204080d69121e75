package web

import (
	"io/fs"
	"regexp"
	"strings"
	"testing"
)

// The engine serves its pages with "default-src 'self'": inline scripts, inline
// styles and event-handler attributes would be blocked by the browser, so the
// pages must not have any, and every file they load must be embedded.
func TestPagesFollowTheContentSecurityPolicy(t *testing.T) {
	var (
		inlineScript = regexp.MustCompile(`(?is)<script(?:\s[^>]*)?>\s*[^<\s]`)
		inlineStyle  = regexp.MustCompile(`(?i)<style|\sstyle\s*=`)
		handlerAttr  = regexp.MustCompile(`(?i)\son[a-z]+\s*=`)
		reference    = regexp.MustCompile(`(?i)\s(?:src|href)\s*=\s*"([^"]+)"`)
	)
	pages, err := fs.Glob(Files, "*.html")
	if err != nil || len(pages) == 0 {
		t.Fatalf("no pages embedded (%v)", err)
	}
	for _, page := range pages {
		data, err := fs.ReadFile(Files, page)
		if err != nil {
			t.Fatal(err)
		}
		html := string(data)
		for name, re := range map[string]*regexp.Regexp{"inline script": inlineScript, "inline style": inlineStyle, "event handler attribute": handlerAttr} {
			if m := re.FindString(html); m != "" {
				t.Errorf("%s has an %s (%q): the CSP blocks it", page, name, m)
			}
		}
		for _, m := range reference.FindAllStringSubmatch(html, -1) {
			ref := m[1]
			if strings.Contains(ref, "://") || strings.HasPrefix(ref, "#") {
				t.Errorf("%s loads %q: pages load only their own embedded files", page, ref)
				continue
			}
			if _, err := fs.Stat(Files, strings.TrimPrefix(ref, "/")); err != nil {
				t.Errorf("%s loads %q, which is not embedded", page, ref)
			}
		}
	}
}
