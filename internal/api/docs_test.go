package api

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// docs/protocol.md documents every declared command: a section of its own under
// "4. Commands", and its name in the row of its permission in the table of 1.3.
func TestProtocolDocumentsEveryCommand(t *testing.T) {
	raw, err := os.ReadFile("../../docs/protocol.md")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(raw)
	commands := section(t, doc, "## 4. Commands", "## 5.")
	headings := strings.Join(regexp.MustCompile(`(?m)^###+ .*$`).FindAllString(commands, -1), "\n")
	rows := map[string]string{}
	for _, row := range regexp.MustCompile("(?m)^\\| (any|read|control|account|admin) \\|(.*)\\|$").FindAllStringSubmatch(section(t, doc, "### 1.3 Permissions", "### 1.4"), -1) {
		rows[row[1]] = row[2]
	}
	for _, s := range Specs() {
		name := regexp.QuoteMeta(s.Name)
		if !regexp.MustCompile(`(?m)^###+ [0-9.a-z]+ (.*[ ,])?` + name + `([ ,].*)?$`).MatchString(headings) {
			t.Errorf("docs/protocol.md section 4 has no heading for %s", s.Name)
		}
		perm := s.Perm
		if perm == "" {
			perm = "any"
		}
		if !strings.Contains(rows[perm], "`"+s.Name+"`") {
			t.Errorf("docs/protocol.md 1.3: %s is not in the %s row", s.Name, perm)
		}
		for other, row := range rows {
			if other != perm && strings.Contains(row, "`"+s.Name+"`") && !strings.Contains(row, "`"+s.Name+"` with") &&
				!strings.Contains(row, "`"+s.Name+"` (") {
				t.Errorf("docs/protocol.md 1.3: %s is also in the %s row", s.Name, other)
			}
		}
	}
}

// section returns the text of doc from the line starting with from up to the next
// line starting with to.
func section(t *testing.T, doc, from, to string) string {
	t.Helper()
	i := strings.Index(doc, "\n"+from)
	if i < 0 {
		t.Fatalf("docs/protocol.md has no %q", from)
	}
	rest := doc[i+1:]
	if j := strings.Index(rest[len(from):], "\n"+to); j >= 0 {
		return rest[:len(from)+j]
	}
	return rest
}
