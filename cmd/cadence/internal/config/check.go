package config

import (
	"bytes"
	"errors"
	"fmt"
	"os"

	"github.com/cadence-dev/cadence/cadence"
)

// LoadDirectory reads the org chart the configuration names (directory.csv
// or directory.yaml) and builds the directory. Errors name the config key
// and line, and wrap the directory's own error (which names the org file and
// its line).
func (c *Config) LoadDirectory() (*cadence.Directory, error) {
	people, err := c.LoadPeople()
	if err != nil {
		return nil, err
	}
	dir, err := cadence.NewDirectory(people)
	if err != nil {
		return nil, c.directoryProblem(err)
	}
	return dir, nil
}

func (c *Config) directoryProblem(err error) error {
	key := "directory.csv"
	if c.Directory.CSV == "" {
		key = "directory.yaml"
	}
	return &Problem{File: c.File, Line: c.Line(key), Path: key, Msg: err.Error(), Err: err}
}

// LoadPeople reads the people of the org chart file without building the
// directory (the Google directory merges them as overrides).
func (c *Config) LoadPeople() ([]cadence.Person, error) {
	key, file := "directory.csv", c.Directory.CSV
	if file == "" {
		key, file = "directory.yaml", c.Directory.YAML
	}
	if file == "" {
		return nil, c.directoryProblem(errors.New("no org chart file is set"))
	}
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, c.directoryProblem(fmt.Errorf("cannot read the org chart: %w", err))
	}
	var people []cadence.Person
	if key == "directory.csv" {
		people, err = cadence.ParseDirectoryCSV(bytes.NewReader(data), file)
	} else {
		people, err = cadence.ParseDirectoryYAML(data, file)
	}
	if err != nil {
		return nil, c.directoryProblem(err)
	}
	return people, nil
}

// Check does what Parse cannot do from the file alone, for `cadence
// check-config`: it reads the org chart (it must exist and parse), and
// checks that every ICS owner and every email in a policy's pairs is a
// person of the directory (or an alias of one). ICS feed files are not
// checked: a missing or broken feed is a per-source error at run time.
// All problems are reported, one per line.
func Check(c *Config) error {
	if (c.Google.Directory.Enabled || c.Microsoft.Directory.Enabled) && c.Directory.CSV == "" && c.Directory.YAML == "" {
		// The org chart comes from the Workspace or Entra ID directory: reading it needs
		// the network, which check-config does not use.
		return nil
	}
	dir, err := c.LoadDirectory()
	if err != nil {
		return err
	}
	d := &decoder{file: c.File, lines: c.lines, bad: map[string]bool{}}
	for i, s := range c.Sources.ICS {
		if _, ok := dir.Resolve(s.Owner); !ok {
			p := fmt.Sprintf("sources.ics[%d].owner", i)
			d.errorf(d.line(p), p, "%q is not in the directory (expected the email of a person of the org chart)", s.Owner)
		}
	}
	for i, r := range c.Policies {
		for j, pair := range r.Match.Pairs {
			for k, e := range pair {
				if _, ok := dir.Resolve(e); !ok {
					p := fmt.Sprintf("policies[%d].match.pairs[%d][%d]", i, j, k)
					d.errorf(d.line(p), p, "%q is not in the directory (expected the email of a person of the org chart)", e)
				}
			}
		}
	}
	return d.err()
}
