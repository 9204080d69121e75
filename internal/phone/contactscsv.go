package phone

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/wpservice/wpservice/internal/api"
)

// maxImport bounds a CSV document given to contacts.import.
const maxImport = 256 << 10

// importContacts adds (or with Replace, sets) the contacts of a CSV document. A
// line that cannot be taken is skipped and named in the result; the rest are saved
// at once.
func (p *Phone) importContacts(a *api.ImportArgs) (api.ImportResult, error) {
	if len(a.CSV) > maxImport {
		return api.ImportResult{}, api.BadArg("csv", "at most 256 KiB")
	}
	rows, skipped, err := parseContactsCSV(a.CSV)
	if err != nil {
		return api.ImportResult{}, err
	}
	list := []api.Contact{}
	if !a.Replace {
		list = append(list, p.contacts...)
	}
	res := api.ImportResult{Skipped: skipped}
	for _, r := range rows {
		account, ok := p.importAccount(r.c.Account)
		if !ok {
			res.Skipped = append(res.Skipped, api.SkippedRow{Line: r.line, Reason: fmt.Sprintf("no account %q: give an id of accounts.list or an account's user@server", clip(r.c.Account, 64))})
			continue
		}
		r.c.Account = account
		if len(list) >= MaxContacts {
			res.Skipped = append(res.Skipped, api.SkippedRow{Line: r.line, Reason: fmt.Sprintf("the list is full (%d contacts)", MaxContacts)})
			continue
		}
		r.c.ID = newContactID()
		list = append(list, r.c)
		res.Added++
	}
	if err := p.saveContacts(list); err != nil {
		return api.ImportResult{}, err
	}
	slices.SortStableFunc(res.Skipped, func(a, b api.SkippedRow) int { return a.Line - b.Line })
	return res, nil
}

// importAccount is the account a CSV line's account column names, as a contact
// keeps it ("" the default): an account's id, or its user@server; empty is the
// default. ok is false for one there is not.
func (p *Phone) importAccount(v string) (string, bool) {
	if v == "" || v == p.accID {
		return "", true
	}
	if p.extra(v) != nil {
		return v, true
	}
	if v == p.acc.Username+"@"+p.acc.Server {
		return "", true
	}
	for _, x := range p.extras {
		if v == x.acc.Username+"@"+x.acc.Server {
			return x.id, true
		}
	}
	return "", false
}

// csvRow is a contact read from a line of a CSV document.
type csvRow struct {
	line int
	c    api.Contact
}

// The columns of a contacts CSV document, in their order when a first line does
// not name them.
var csvColumns = []string{"name", "number", "presence", "blf", "account"}

// parseContactsCSV reads "name,number[,presence[,blf[,account]]]" lines (a comma,
// a semicolon or a tab between fields, as spreadsheets write them). A first line
// whose number column is not one is a header; one that names the columns (name and
// number, and any of presence, blf and account, in any order) sets their order for
// the lines after it. Empty lines are skipped silently. The account column is kept
// as written, for importContacts to look up.
func parseContactsCSV(doc string) ([]csvRow, []api.SkippedRow, error) {
	r := csv.NewReader(strings.NewReader(doc))
	r.Comma = separator(doc)
	r.FieldsPerRecord = -1
	r.TrimLeadingSpace = true
	var rows []csvRow
	var skipped []api.SkippedRow
	cols := csvColumns
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			return rows, skipped, nil
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				err = pe.Err
			}
			line := 0
			if pe != nil {
				line = pe.Line
			}
			return nil, nil, api.BadArg("csv", fmt.Sprintf("line %d: %v", line, err))
		}
		line, _ := r.FieldPos(0)
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue
		}
		if line == 1 {
			if named, ok := headerColumns(rec); ok {
				cols = named
				continue
			}
		}
		c, why := contactOfRecord(rec, cols)
		switch {
		case why == "":
			rows = append(rows, csvRow{line: line, c: c})
		case line == 1:
			// a header ("Name,Number,Presence,BLF")
		default:
			skipped = append(skipped, api.SkippedRow{Line: line, Reason: why})
		}
	}
}

// headerColumns reads a first line that names the columns: each a column of
// csvColumns at most once, name and number among them.
func headerColumns(rec []string) ([]string, bool) {
	seen := map[string]bool{}
	cols := make([]string, len(rec))
	for i, v := range rec {
		v = strings.ToLower(strings.TrimSpace(v))
		if !slices.Contains(csvColumns, v) || seen[v] {
			return nil, false
		}
		seen[v], cols[i] = true, v
	}
	if !seen["name"] || !seen["number"] {
		return nil, false
	}
	return cols, true
}

// separator is the field separator of doc's first line: a tab or a semicolon when
// it has one and no comma, else a comma.
func separator(doc string) rune {
	first, _, _ := strings.Cut(doc, "\n")
	for _, sep := range []rune{'\t', ';'} {
		if strings.ContainsRune(first, sep) && !strings.ContainsRune(first, ',') {
			return sep
		}
	}
	return ','
}

// contactOfRecord reads one record whose fields are the columns cols, or says why
// it cannot.
func contactOfRecord(rec, cols []string) (api.Contact, string) {
	if len(rec) < 2 || len(rec) > len(cols) {
		return api.Contact{}, "want " + columnsText(cols)
	}
	var c api.Contact
	for i, v := range rec {
		var err error
		switch col := cols[i]; col {
		case "name":
			if c.Name, err = contactName(v); err != nil {
				return api.Contact{}, "the name is not printable text of at most 128 characters"
			}
		case "number":
			if c.Number, err = contactNumber(v); err != nil {
				return api.Contact{}, "the number is not a number, a user or a SIP URI"
			}
		case "account":
			c.Account = strings.TrimSpace(v)
		default:
			on, ok := csvFlag(v)
			if !ok {
				return api.Contact{}, fmt.Sprintf("column %d (%s) is not 1/0, true/false or yes/no", i+1, col)
			}
			if col == "presence" {
				c.Presence = on
			} else {
				c.BLF = on
			}
		}
	}
	if c.Number == "" {
		return api.Contact{}, "the number is not a number, a user or a SIP URI"
	}
	return c, ""
}

// columnsText is cols as an import's reason names them: "name,number[,presence...]".
func columnsText(cols []string) string {
	if len(cols) == 2 {
		return strings.Join(cols, ",")
	}
	return strings.Join(cols[:2], ",") + "[," + strings.Join(cols[2:], "[,") + strings.Repeat("]", len(cols)-2)
}

// csvFlag reads a flag column; empty is off.
func csvFlag(v string) (on, ok bool) {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "1", "true", "yes", "y", "on":
		return true, true
	case "", "0", "false", "no", "n", "off":
		return false, true
	}
	return false, false
}
