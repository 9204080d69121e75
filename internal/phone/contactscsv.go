package phone

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
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
	return res, nil
}

// csvRow is a contact read from a line of a CSV document.
type csvRow struct {
	line int
	c    api.Contact
}

// parseContactsCSV reads "name,number[,presence[,blf]]" lines (a comma, a
// semicolon or a tab between fields, as spreadsheets write them). A first line
// whose number column is not one is a header; empty lines are skipped silently.
func parseContactsCSV(doc string) ([]csvRow, []api.SkippedRow, error) {
	r := csv.NewReader(strings.NewReader(doc))
	r.Comma = separator(doc)
	r.FieldsPerRecord = -1
	r.TrimLeadingSpace = true
	var rows []csvRow
	var skipped []api.SkippedRow
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
		c, why := contactOfRecord(rec)
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

// contactOfRecord reads one record, or says why it cannot.
func contactOfRecord(rec []string) (api.Contact, string) {
	if len(rec) < 2 || len(rec) > 4 {
		return api.Contact{}, "want name,number[,presence[,blf]]"
	}
	var c api.Contact
	var err error
	if c.Name, err = contactName(rec[0]); err != nil {
		return api.Contact{}, "the name is not printable text of at most 128 characters"
	}
	if c.Number, err = contactNumber(rec[1]); err != nil {
		return api.Contact{}, "the number is not a number, a user or a SIP URI"
	}
	flags := []*bool{&c.Presence, &c.BLF}
	for i, v := range rec[2:] {
		on, ok := csvFlag(v)
		if !ok {
			return api.Contact{}, fmt.Sprintf("column %d is not 1/0, true/false or yes/no", i+3)
		}
		*flags[i] = on
	}
	return c, ""
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
