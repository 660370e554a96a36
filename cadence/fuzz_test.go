package cadence

import (
	"strings"
	"testing"
)

// FuzzParseDirectoryCSV: no input may panic; an accepted directory builds.
func FuzzParseDirectoryCSV(f *testing.F) {
	f.Add(orgCSV)
	f.Add("email,name,manager_email,hire_date,aliases\na@x.io,A,,2020-01-01,b@x.io;c@x.io\nb2@x.io,B,b@x.io,2020-01-01,\n")
	f.Add("email,name,manager_email,hire_date\na@x.io,A,a@x.io,2020-01-01\n")
	f.Add("\ufeffEMAIL,Name,Manager_Email,Hire_Date\n\"a@x.io\",\"A, B\",,2020-02-29\n")
	f.Fuzz(func(t *testing.T, in string) {
		people, err := ParseDirectoryCSV(strings.NewReader(in), "f.csv")
		if err != nil {
			if !strings.HasPrefix(err.Error(), "cadence: f.csv") {
				t.Fatalf("error without prefix and file: %v", err)
			}
			return
		}
		if _, err := NewDirectory(people); err != nil {
			t.Fatalf("parsed directory rejected by NewDirectory: %v", err)
		}
	})
}

// FuzzParseDirectoryYAML: no input may panic; an accepted directory builds.
func FuzzParseDirectoryYAML(f *testing.F) {
	f.Add("- email: a@x.io\n  hire_date: 2020-01-01\n  aliases: [b@x.io]\n- email: c@x.io\n  manager: b@x.io\n  hire_date: 2021-01-01\n")
	f.Add("- email: a@x.io\n  hire_date: 2020-01-01\n  manager: a@x.io\n")
	f.Add("- &a {email: a@x.io, hire_date: 2020-01-01}\n- *a\n")
	f.Fuzz(func(t *testing.T, in string) {
		people, err := ParseDirectoryYAML([]byte(in), "f.yaml")
		if err != nil {
			if !strings.HasPrefix(err.Error(), "cadence: f.yaml") {
				t.Fatalf("error without prefix and file: %v", err)
			}
			return
		}
		if _, err := NewDirectory(people); err != nil {
			t.Fatalf("parsed directory rejected by NewDirectory: %v", err)
		}
	})
}
