package cadence

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"time"

	yaml "go.yaml.in/yaml/v3"
)

// Directory columns / keys.
const (
	colEmail      = "email"
	colName       = "name"
	colManager    = "manager_email"
	colHire       = "hire_date"
	colTeamStart  = "team_start"
	colAliases    = "aliases"
	colID         = "id"
	colTitle      = "title"
	colDepartment = "department"
)

var (
	csvRequired = []string{colEmail, colName, colManager, colHire}
	csvOptional = []string{colTeamStart, colAliases, colID, colTitle, colDepartment}
	yamlKeys    = []string{colEmail, colName, "manager", colHire, colTeamStart, colAliases, colID, colTitle, colDepartment}
)

const dateLayout = "2006-01-02"

// parseDate reads a YYYY-MM-DD date as 00:00 UTC.
func parseDate(s string) (time.Time, bool) {
	if len(s) != len(dateLayout) {
		return time.Time{}, false
	}
	t, err := time.Parse(dateLayout, s)
	return t, err == nil
}

func dateProblem(key, v string) string {
	if v == "" {
		return fmt.Sprintf("%s: missing, expected a date YYYY-MM-DD", key)
	}
	return fmt.Sprintf("%s: %q is not a valid date, expected YYYY-MM-DD", key, v)
}

func splitAliases(s string) []string {
	var out []string
	for _, a := range strings.Split(s, ";") {
		if a = normEmail(a); a != "" {
			out = append(out, a)
		}
	}
	return out
}

// ParseDirectoryCSV reads the HR-export CSV: a header row (column names
// matched case-insensitively, in any order) with the required columns
// email, name, manager_email, hire_date and the optional team_start,
// aliases (separated by ';'), id, title, department. Dates are YYYY-MM-DD.
// Emails are trimmed and lower-cased, "mailto:" stripped. Lines starting
// with '#' and empty rows are skipped; a UTF-8 BOM is accepted. Every
// problem of the file — bad rows and the checks of NewDirectory — is
// reported in one error, in line order, each naming file:line.
func ParseDirectoryCSV(r io.Reader, file string) ([]Person, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("cadence: %s: %w", file, err)
	}
	data = bytes.TrimPrefix(data, []byte("\ufeff"))
	cr := csv.NewReader(bytes.NewReader(data))
	cr.FieldsPerRecord = -1
	cr.Comment = '#'
	cr.TrimLeadingSpace = true
	var probs problems
	header, err := cr.Read()
	if err == io.EOF {
		return nil, fmt.Errorf("cadence: %s: empty file, expected a header row %s", file, csvHeaderHint)
	}
	if err != nil {
		return nil, csvError(file, err)
	}
	hline, _ := cr.FieldPos(0)
	cols := map[string]int{}
	known := map[string]bool{}
	for _, c := range append(append([]string{}, csvRequired...), csvOptional...) {
		known[c] = true
	}
	anyKnown := false
	for _, h := range header {
		anyKnown = anyKnown || known[strings.ToLower(strings.TrimSpace(h))]
	}
	if !anyKnown {
		return nil, fmt.Errorf("cadence: %s:%d: no header row: the first row must name the columns %s, got %q",
			file, hline, csvHeaderHint, strings.Join(header, ","))
	}
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(h))
		switch {
		case !known[h]:
			probs.add(file, hline, "header: unknown column %q (expected %s)", h, csvHeaderHint)
		case cols[h] != 0:
			probs.add(file, hline, "header: column %q appears twice", h)
		default:
			cols[h] = i + 1 // 1-based so 0 means absent
		}
	}
	var missing []string
	for _, c := range csvRequired {
		if cols[c] == 0 {
			missing = append(missing, c)
		}
	}
	if len(missing) > 0 {
		probs.add(file, hline, "header: missing column %s (a header row %s is required)", strings.Join(missing, ", "), csvHeaderHint)
	}
	if len(probs.list) > 0 {
		return nil, sortProblems(probs.list)
	}
	get := func(rec []string, col string) string {
		if i := cols[col]; i > 0 && i <= len(rec) {
			return strings.TrimSpace(rec[i-1])
		}
		return ""
	}
	var people []Person
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			probs.list = append(probs.list, csvProblem(file, err, len(probs.list)))
			break
		}
		line, _ := cr.FieldPos(0)
		empty := true
		for _, f := range rec {
			if strings.TrimSpace(f) != "" {
				empty = false
				break
			}
		}
		if empty {
			continue
		}
		if len(rec) != len(header) {
			probs.add(file, line, "%d fields, expected %d as in the header row", len(rec), len(header))
			continue
		}
		p := Person{
			Email:      normEmail(get(rec, colEmail)),
			Name:       get(rec, colName),
			Manager:    normEmail(get(rec, colManager)),
			Aliases:    splitAliases(get(rec, colAliases)),
			ID:         get(rec, colID),
			Title:      get(rec, colTitle),
			Department: get(rec, colDepartment),
			Pos:        fmt.Sprintf("%s:%d", file, line),
		}
		v := get(rec, colHire)
		if t, ok := parseDate(v); ok {
			p.HireDate = t
		} else {
			probs.add(file, line, "%s", dateProblem(colHire, v))
		}
		if v := get(rec, colTeamStart); v != "" {
			if t, ok := parseDate(v); ok {
				p.TeamStart = t
			} else {
				probs.add(file, line, "%s", dateProblem(colTeamStart, v))
			}
		}
		people = append(people, p)
	}
	return finishParse(people, &probs)
}

const csvHeaderHint = "email,name,manager_email,hire_date[,team_start][,aliases][,id]"

func csvError(file string, err error) error {
	return errors.New(csvProblem(file, err, 0).msg)
}

func csvProblem(file string, err error, seq int) dirProblem {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return dirProblem{file: file, line: pe.Line, seq: seq,
			msg: fmt.Sprintf("cadence: %s:%d:%d: %v", file, pe.Line, pe.Column, pe.Err)}
	}
	return dirProblem{file: file, seq: seq, msg: fmt.Sprintf("cadence: %s: %v", file, err)}
}

// finishParse normalizes and validates parsed people, merging the relation
// problems with the parse problems.
func finishParse(people []Person, probs *problems) ([]Person, error) {
	people = normalizePeople(people)
	validate(people, probs)
	if len(probs.list) > 0 {
		return nil, sortProblems(probs.list)
	}
	return people, nil
}

var yamlLineRE = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// ParseDirectoryYAML reads a YAML list of people:
//
//   - email: ana@example.com
//     name: Ana Lima
//     manager: bo@example.com      # optional
//     hire_date: 2024-01-15
//     team_start: 2025-03-01       # optional
//     aliases: [ana.lima@example.com]   # or "a@x; b@x"
//     id: "1234"                   # optional
//
// Decoding is strict: an unknown or repeated key is an error naming the key
// and line. Every problem is reported in one error, in line order.
func ParseDirectoryYAML(data []byte, file string) ([]Person, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		msg := err.Error()
		if m := yamlLineRE.FindStringSubmatch(msg); m != nil {
			return nil, fmt.Errorf("cadence: %s:%s: %s", file, m[1], m[2])
		}
		return nil, fmt.Errorf("cadence: %s: %s", file, strings.TrimPrefix(msg, "yaml: "))
	}
	if root.Kind == 0 || len(root.Content) == 0 {
		return nil, fmt.Errorf("cadence: %s: empty, expected a list of people", file)
	}
	list := root.Content[0]
	if list.Kind != yaml.SequenceNode {
		return nil, fmt.Errorf("cadence: %s:%d: expected a list of people, got %s", file, list.Line, nodeKind(list))
	}
	known := map[string]bool{}
	for _, k := range yamlKeys {
		known[k] = true
	}
	var probs problems
	var people []Person
	for _, item := range list.Content {
		if item.Kind != yaml.MappingNode {
			probs.add(file, item.Line, "expected a person (a mapping with email, name, ...), got %s", nodeKind(item))
			continue
		}
		p := Person{Pos: fmt.Sprintf("%s:%d", file, item.Line)}
		seen := map[string]int{}
		for i := 0; i+1 < len(item.Content); i += 2 {
			kn, vn := item.Content[i], item.Content[i+1]
			key := kn.Value
			if !known[key] {
				probs.add(file, kn.Line, "unknown key %q (expected one of %s)", key, strings.Join(yamlKeys, ", "))
				continue
			}
			if l, dup := seen[key]; dup {
				probs.add(file, kn.Line, "key %q repeated (first on line %d)", key, l)
				continue
			}
			seen[key] = kn.Line
			if key == colAliases && vn.Kind == yaml.SequenceNode {
				for _, a := range vn.Content {
					if a.Kind != yaml.ScalarNode {
						probs.add(file, a.Line, "key aliases: expected an email, got %s", nodeKind(a))
						continue
					}
					p.Aliases = append(p.Aliases, splitAliases(a.Value)...)
				}
				continue
			}
			if vn.Kind != yaml.ScalarNode {
				probs.add(file, vn.Line, "key %s: expected a string, got %s", key, nodeKind(vn))
				continue
			}
			v := strings.TrimSpace(vn.Value)
			if vn.Tag == "!!null" {
				v = ""
			}
			switch key {
			case colEmail:
				p.Email = v
			case colName:
				p.Name = v
			case "manager":
				p.Manager = v
			case colHire, colTeamStart:
				t, ok := parseDate(v)
				if !ok {
					if v != "" || key == colHire {
						probs.add(file, vn.Line, "%s", dateProblem(key, v))
					}
					continue
				}
				if key == colHire {
					p.HireDate = t
				} else {
					p.TeamStart = t
				}
			case colAliases:
				p.Aliases = splitAliases(v)
			case colID:
				p.ID = v
			case colTitle:
				p.Title = v
			case colDepartment:
				p.Department = v
			}
		}
		if _, ok := seen[colHire]; !ok {
			probs.add(file, item.Line, "%s", dateProblem(colHire, ""))
		}
		people = append(people, p)
	}
	return finishParse(people, &probs)
}

func nodeKind(n *yaml.Node) string {
	switch n.Kind {
	case yaml.SequenceNode:
		return "a list"
	case yaml.MappingNode:
		return "a mapping"
	case yaml.ScalarNode:
		return strconv.Quote(n.Value)
	case yaml.AliasNode:
		return "an alias"
	}
	return "nothing"
}
