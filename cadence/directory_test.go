package cadence

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

func date(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

func TestParseDirectoryCSVValid(t *testing.T) {
	in := "\ufeffName, EMAIL ,hire_date,Manager_Email,aliases,team_start,id\n" +
		"# a comment line\n" +
		"Ana Lima,MAILTO:Ana@Example.com ,2020-01-06,,ana.lima@example.com; AL@example.com;ana@example.com;Ana.Lima@example.com,,E1\n" +
		"\n" +
		"Bo Chen, \"bo@example.com\",2024-03-01,ana.lima@example.com,,2023-01-01,E2\n" +
		",,,,,,\n"
	people, err := ParseDirectoryCSV(strings.NewReader(in), "org.csv")
	if err != nil {
		t.Fatal(err)
	}
	want := []Person{
		{Email: "ana@example.com", Name: "Ana Lima", HireDate: date(2020, 1, 6),
			Aliases: []string{"ana.lima@example.com", "al@example.com"}, ID: "E1", Pos: "org.csv:3"},
		// The manager is given by an alias; team_start before hire_date is accepted.
		{Email: "bo@example.com", Name: "Bo Chen", Manager: "ana.lima@example.com", HireDate: date(2024, 3, 1),
			TeamStart: date(2023, 1, 1), ID: "E2", Pos: "org.csv:5"},
	}
	if !reflect.DeepEqual(people, want) {
		t.Fatalf("got  %+v\nwant %+v", people, want)
	}
	d, err := NewDirectory(people)
	if err != nil {
		t.Fatal(err)
	}
	if p, _ := d.Person("bo@example.com"); p.Manager != "ana@example.com" {
		t.Errorf("manager alias not resolved to primary: %q", p.Manager)
	}
}

func TestParseDirectoryCSVErrors(t *testing.T) {
	const h = "email,name,manager_email,hire_date,team_start,aliases\n"
	tests := []struct {
		name, in, want string
	}{
		{"empty file", "", `cadence: org.csv: empty file, expected a header row email,name,manager_email,hire_date[,team_start][,aliases][,id]`},
		{"no header row", "ana@example.com,Ana,,2020-01-01\n",
			`cadence: org.csv:1: no header row: the first row must name the columns email,name,manager_email,hire_date[,team_start][,aliases][,id], got "ana@example.com,Ana,,2020-01-01"`},
		{"unknown column", "email,name,manager_email,hire_date,team_strat\n",
			`cadence: org.csv:1: header: unknown column "team_strat" (expected email,name,manager_email,hire_date[,team_start][,aliases][,id])`},
		{"missing column", "email,name,hire_date\n",
			`cadence: org.csv:1: header: missing column manager_email (a header row email,name,manager_email,hire_date[,team_start][,aliases][,id] is required)`},
		{"repeated column", "email,name,manager_email,hire_date,Email\n",
			`cadence: org.csv:1: header: column "email" appears twice`},
		{"unknown manager", h + "ana@example.com,Ana,,2020-01-01,,\nbo@example.com,Bo,zed@example.com,2021-01-01,,\n",
			`cadence: org.csv:3: bo@example.com: manager "zed@example.com" is not in the directory`},
		{"manager cycle", h + "root@example.com,Root,,2020-01-01,,\nb@example.com,B,c@example.com,2020-01-01,,\nc@example.com,C,d@example.com,2020-01-01,,\nd@example.com,D,b@example.com,2020-01-01,,\n",
			`cadence: org.csv:3: manager cycle: b@example.com -> c@example.com -> d@example.com -> b@example.com`},
		{"own manager", h + "a@example.com,A,A@Example.com,2020-01-01,,\n",
			`cadence: org.csv:2: manager cycle: a@example.com -> a@example.com`},
		{"duplicate email", h + "a@example.com,A,,2020-01-01,,\nb@example.com,B,a@example.com,2020-01-01,,\nA@example.com,A2,,2020-01-01,,\n",
			`cadence: org.csv:4: duplicate email "a@example.com", also on org.csv:2`},
		{"alias is another email", h + "a@example.com,A,,2020-01-01,,b@example.com\nb@example.com,B,a@example.com,2020-01-01,,\n",
			`cadence: org.csv:2: alias "b@example.com" of a@example.com is the email of b@example.com on org.csv:3`},
		{"alias of two people", h + "a@example.com,A,,2020-01-01,,x@example.com\nb@example.com,B,a@example.com,2020-01-01,,y@example.com;X@example.com\n",
			`cadence: org.csv:3: alias "x@example.com" of b@example.com is also an alias of a@example.com on org.csv:2`},
		{"bad hire_date", h + "a@example.com,A,,2020-13-01,,\n",
			`cadence: org.csv:2: hire_date: "2020-13-01" is not a valid date, expected YYYY-MM-DD`},
		{"short hire_date", h + "a@example.com,A,,2020-1-5,,\n",
			`cadence: org.csv:2: hire_date: "2020-1-5" is not a valid date, expected YYYY-MM-DD`},
		{"missing hire_date", h + "a@example.com,A,,,,\n",
			`cadence: org.csv:2: hire_date: missing, expected a date YYYY-MM-DD`},
		{"bad team_start", h + "a@example.com,A,,2020-01-01,01/02/2021,\n",
			`cadence: org.csv:2: team_start: "01/02/2021" is not a valid date, expected YYYY-MM-DD`},
		{"missing email", h + ",A,,2020-01-01,,\n",
			`cadence: org.csv:2: email: missing`},
		{"malformed email", h + "ana,A,,2020-01-01,,\n",
			`cadence: org.csv:2: email "ana": expected an address like name@example.com`},
		{"field count", h + "a@example.com,A,,2020-01-01\n",
			`cadence: org.csv:2: 4 fields, expected 6 as in the header row`},
		{"csv syntax", h + "a@example.com,A \"x\",,2020-01-01,,\n",
			`cadence: org.csv:2:17: bare " in non-quoted-field`},
		{"all problems in file order", h +
			"a@example.com,A,,2020-01-01,,\n" +
			"b@example.com,B,nobody@example.com,2020-02-30,,\n" +
			",C,a@example.com,2020-01-01,,\n" +
			"a@example.com,A again,,2020-01-01,,\n",
			`cadence: org.csv:3: hire_date: "2020-02-30" is not a valid date, expected YYYY-MM-DD` + "\n" +
				`cadence: org.csv:3: b@example.com: manager "nobody@example.com" is not in the directory` + "\n" +
				`cadence: org.csv:4: email: missing` + "\n" +
				`cadence: org.csv:5: duplicate email "a@example.com", also on org.csv:2`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			people, err := ParseDirectoryCSV(strings.NewReader(tt.in), "org.csv")
			if err == nil {
				t.Fatalf("no error; people %+v", people)
			}
			if err.Error() != tt.want {
				t.Fatalf("error\n got: %s\nwant: %s", err, tt.want)
			}
		})
	}
}

// TestInvalidFixtures runs every testdata/invalid-*.csv against the error
// text in the matching .err file.
func TestInvalidFixtures(t *testing.T) {
	files, err := filepath.Glob("testdata/invalid-*.csv")
	if err != nil || len(files) == 0 {
		t.Fatalf("no fixtures: %v", err)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			want, err := os.ReadFile(strings.TrimSuffix(f, ".csv") + ".err")
			if err != nil {
				t.Fatal(err)
			}
			r, err := os.Open(f)
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			_, err = ParseDirectoryCSV(r, filepath.Base(f))
			if err == nil {
				t.Fatal("no error")
			}
			if got := err.Error(); got != strings.TrimRight(string(want), "\n") {
				t.Fatalf("error\n got: %s\nwant: %s", got, want)
			}
		})
	}
}

func TestParseDirectoryYAML(t *testing.T) {
	in := `# org
- email: Ana@Example.com
  name: Ana Lima
  hire_date: 2020-01-06
  aliases: [ana.lima@example.com, "mailto:AL@example.com"]
  id: "E1"
- email: bo@example.com
  name: Bo Chen
  manager: ana.lima@example.com
  hire_date: "2024-03-01"
  team_start: 2024-06-01
  aliases: "bo.chen@example.com; b@example.com"
`
	people, err := ParseDirectoryYAML([]byte(in), "org.yaml")
	if err != nil {
		t.Fatal(err)
	}
	want := []Person{
		{Email: "ana@example.com", Name: "Ana Lima", HireDate: date(2020, 1, 6),
			Aliases: []string{"ana.lima@example.com", "al@example.com"}, ID: "E1", Pos: "org.yaml:2"},
		{Email: "bo@example.com", Name: "Bo Chen", Manager: "ana.lima@example.com", HireDate: date(2024, 3, 1),
			TeamStart: date(2024, 6, 1), Aliases: []string{"bo.chen@example.com", "b@example.com"}, Pos: "org.yaml:7"},
	}
	if !reflect.DeepEqual(people, want) {
		t.Fatalf("got  %+v\nwant %+v", people, want)
	}
}

func TestParseDirectoryYAMLErrors(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"empty", "", `cadence: org.yaml: empty, expected a list of people`},
		{"not a list", "email: a@example.com\n", `cadence: org.yaml:1: expected a list of people, got a mapping`},
		{"syntax", "- email: a@example.com\n  name: [x\n", `cadence: org.yaml:1: did not find expected ',' or ']'`},
		{"unknown key", "- email: a@example.com\n  name: A\n  hire_date: 2020-01-01\n  manager_email: b@example.com\n",
			`cadence: org.yaml:4: unknown key "manager_email" (expected one of email, name, manager, hire_date, team_start, aliases, id, title, department)`},
		{"repeated key", "- email: a@example.com\n  hire_date: 2020-01-01\n  email: b@example.com\n",
			`cadence: org.yaml:3: key "email" repeated (first on line 1)`},
		{"bad date", "- email: a@example.com\n  hire_date: 2020-02-30\n",
			`cadence: org.yaml:2: hire_date: "2020-02-30" is not a valid date, expected YYYY-MM-DD`},
		{"missing hire_date", "- email: a@example.com\n  name: A\n",
			`cadence: org.yaml:1: hire_date: missing, expected a date YYYY-MM-DD`},
		{"item not a mapping", "- a@example.com\n", `cadence: org.yaml:1: expected a person (a mapping with email, name, ...), got "a@example.com"`},
		{"value not a string", "- email: [a@example.com]\n  hire_date: 2020-01-01\n",
			`cadence: org.yaml:1: key email: expected a string, got a list` + "\n" + `cadence: org.yaml:1: email: missing`},
		{"relations", "- email: a@example.com\n  hire_date: 2020-01-01\n  manager: b@example.com\n- email: b@example.com\n  hire_date: 2020-01-01\n  manager: a@example.com\n- email: c@example.com\n  hire_date: 2020-01-01\n  manager: z@example.com\n",
			`cadence: org.yaml:1: manager cycle: a@example.com -> b@example.com -> a@example.com` + "\n" +
				`cadence: org.yaml:7: c@example.com: manager "z@example.com" is not in the directory`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseDirectoryYAML([]byte(tt.in), "org.yaml")
			if err == nil {
				t.Fatal("no error")
			}
			if err.Error() != tt.want {
				t.Fatalf("error\n got: %s\nwant: %s", err, tt.want)
			}
		})
	}
}

func TestNewDirectoryErrorsWithoutPos(t *testing.T) {
	_, err := NewDirectory([]Person{
		{Email: "a@example.com"},
		{Email: "b@example.com", Manager: "c@example.com"},
		{Email: "A@example.com"},
	})
	want := `cadence: directory entry 2: b@example.com: manager "c@example.com" is not in the directory` + "\n" +
		`cadence: directory entry 3: duplicate email "a@example.com", also on directory entry 1`
	if err == nil || err.Error() != want {
		t.Fatalf("error\n got: %v\nwant: %s", err, want)
	}
}

// orgCSV is a small org used across tests:
//
//	ceo
//	├── vp (aliases: vp.alias)
//	│   ├── m1
//	│   │   ├── e1 (new hire)
//	│   │   └── e2
//	│   └── m2
//	│       └── e3
//	└── cto
const orgCSV = `email,name,manager_email,hire_date,team_start,aliases
ceo@example.com,Cleo Ortiz,,2015-01-01,,
vp@example.com,Vera Park,ceo@example.com,2016-01-01,,vp.alias@example.com
m1@example.com,Mina Ueda,vp@example.com,2017-01-01,,
m2@example.com,Mateo Ruiz,vp@example.com,2017-01-01,,
e1@example.com,Eli Stone,m1@example.com,2026-02-01,,
e2@example.com,Emma Stone,m1@example.com,2018-01-01,2026-01-20,
e3@example.com,Ezra Bell,m2@example.com,2018-01-01,,
cto@example.com,Tom Otto,ceo@example.com,2016-01-01,,
`

func testDir(t testing.TB) *Directory {
	t.Helper()
	people, err := ParseDirectoryCSV(strings.NewReader(orgCSV), "org.csv")
	if err != nil {
		t.Fatal(err)
	}
	d, err := NewDirectory(people)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestDirectoryQueries(t *testing.T) {
	d := testDir(t)
	if p, ok := d.Resolve(" MAILTO:VP.Alias@Example.com"); !ok || p != "vp@example.com" {
		t.Errorf("Resolve alias = %q %v", p, ok)
	}
	if _, ok := d.Resolve("stranger@example.com"); ok {
		t.Error("Resolve of a stranger succeeded")
	}
	if p, ok := d.Person("vp.alias@example.com"); !ok || p.Name != "Vera Park" {
		t.Errorf("Person = %+v %v", p, ok)
	}
	var emails []string
	for _, p := range d.People() {
		emails = append(emails, p.Email)
	}
	check := func(what string, got, want []string) {
		t.Helper()
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s = %v, want %v", what, got, want)
		}
	}
	check("People", emails, []string{"ceo@example.com", "cto@example.com", "e1@example.com", "e2@example.com", "e3@example.com", "m1@example.com", "m2@example.com", "vp@example.com"})
	check("Reports(vp alias)", d.Reports("vp.alias@example.com"), []string{"m1@example.com", "m2@example.com"})
	check("Reports(e1)", d.Reports("e1@example.com"), nil)
	check("Managers", d.Managers(), []string{"ceo@example.com", "m1@example.com", "m2@example.com", "vp@example.com"})
	check("Subtree(vp)", d.Subtree("vp@example.com"), []string{"e1@example.com", "e2@example.com", "e3@example.com", "m1@example.com", "m2@example.com", "vp@example.com"})
	check("Subtree(e3)", d.Subtree("e3@example.com"), []string{"e3@example.com"})
	check("Chain(e1)", d.Chain("e1@example.com"), []string{"m1@example.com", "vp@example.com", "ceo@example.com"})
	check("Chain(ceo)", d.Chain("ceo@example.com"), nil)
	// The directory copies its input: changing the slice given does not
	// change it.
	people := []Person{{Email: "a@example.com", Aliases: []string{"x@example.com"}}}
	d2, err := NewDirectory(people)
	if err != nil {
		t.Fatal(err)
	}
	people[0].Aliases[0] = "y@example.com"
	if _, ok := d2.Resolve("x@example.com"); !ok {
		t.Error("directory shares the aliases slice of its input")
	}
	if p, _ := d2.Person("a@example.com"); p.Aliases[0] != "x@example.com" {
		t.Error("directory shares the aliases slice of its input")
	}
}

// TestDirectoryEmailCharacters: control, formatting and space characters,
// '/' and ':' in a directory email are errors naming the file, the line and
// the character; ordinary RFC 5321 addresses (and RFC 6531 / IDN ones) load.
func TestDirectoryEmailCharacters(t *testing.T) {
	yml := "- email: ana@example.com\n  name: Ana\n  hire_date: 2020-01-01\n" +
		"- email: \"bo\\0@example.com\"\n  name: Bo\n  manager: ana@example.com\n  hire_date: 2020-01-01\n" +
		"- email: cy@example.com/x\n  name: Cy\n  manager: ana@example.com\n  hire_date: 2020-01-01\n" +
		"- email: \"mailto:dan@example.com:25\"\n  name: Dan\n  manager: ana@example.com\n  hire_date: 2020-01-01\n" +
		"- email: \"eve\\u2028@example.com\"\n  name: Eve\n  manager: ana@example.com\n  hire_date: 2020-01-01\n" +
		"- email: fay@ex_ample.com\n  name: Fay\n  manager: ana@example.com\n  hire_date: 2020-01-01\n"
	_, err := ParseDirectoryYAML([]byte(yml), "org.yaml")
	want := `cadence: org.yaml:4: email "bo\x00@example.com": control character U+0000 is not allowed in an email address (expected an address like name@example.com)` + "\n" +
		`cadence: org.yaml:8: email "cy@example.com/x": '/' is not allowed in an email address (expected an address like name@example.com)` + "\n" +
		`cadence: org.yaml:12: email "dan@example.com:25": ':' is not allowed in an email address (expected an address like name@example.com)` + "\n" +
		`cadence: org.yaml:16: email "eve\u2028@example.com": formatting character U+2028 is not allowed in an email address (expected an address like name@example.com)` + "\n" +
		`cadence: org.yaml:20: email "fay@ex_ample.com": '_' is not allowed in the domain of an email address (expected an address like name@example.com)`
	if err == nil || err.Error() != want {
		t.Errorf("error\n got: %v\nwant: %s", err, want)
	}

	for _, email := range []string{
		"first.last@example.com", "first.last+1on1@example.com", "o'brien@sub-domain.example.co.uk",
		"under_score@example.com", "x@localhost", "jo.ann-smith@xn--bcher-kva.example",
		"zoë@bücher.example", "用户@例子.广告", "a!#$%&'*+-=?^_`{|}~@example.com",
		strings.Repeat("l", 64) + "@example.com",
	} {
		if ok, why := emailProblem(email); !ok {
			t.Errorf("%q rejected: %s", email, why)
		}
	}
	for email, why := range map[string]string{
		strings.Repeat("l", 65) + "@example.com":                        "the part before '@' has 65 bytes (at most 64)",
		"l@" + strings.Repeat("d", 63) + "." + strings.Repeat("d", 200): "266 bytes long (at most 254)",
		"a b@example.com":      "space character U+0020 is not allowed in an email address",
		"a\u00a0b@example.com": "space character U+00A0 is not allowed in an email address",
		"a\u200bb@example.com": "formatting character U+200B is not allowed in an email address",
		"a\xffb@example.com":   "invalid UTF-8 is not allowed in an email address",
		"a\"b@example.com":     `'"' is not allowed in an email address`,
		"a\\b@example.com":     `'\' is not allowed in an email address`,
		"ab@example.com.":      "the domain has an empty label",
		"ab@@example.com":      "",
	} {
		if ok, got := emailProblem(email); ok || got != why {
			t.Errorf("%q: %v %q, want %q", email, ok, got, why)
		}
	}
}
