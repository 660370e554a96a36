package config

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/cadence-dev/cadence/cadence"
)

// LoadDirectory reads the org chart file and builds the directory. Errors
// name the config key and line, and wrap the directory's own.
func (c *Config) LoadDirectory() (*cadence.Directory, error) {
	people, err := c.LoadPeople()
	if err != nil {
		return nil, err
	}
	dir, err := cadence.NewDirectory(people)
	return dir, c.directoryProblem(err)
}

// directoryProblem is err as a problem of the directory key; nil for nil.
func (c *Config) directoryProblem(err error) error {
	key := "directory.csv"
	if c.Directory.CSV == "" {
		key = "directory.yaml"
	}
	if err == nil {
		return nil
	}
	return &Problem{File: c.File, Line: c.Line(key), Path: key, Msg: err.Error(), Err: err}
}

// LoadPeople reads the people of the org chart file without building the
// directory (the Google directory merges them as overrides).
func (c *Config) LoadPeople() ([]cadence.Person, error) {
	file := cmp.Or(c.Directory.CSV, c.Directory.YAML)
	data, err := os.ReadFile(file)
	switch {
	case file == "":
		return nil, c.directoryProblem(errors.New("no org chart file is set"))
	case err != nil:
		return nil, c.directoryProblem(fmt.Errorf("cannot read the org chart: %w", err))
	case file == c.Directory.YAML:
		people, err := cadence.ParseDirectoryYAML(data, file)
		return people, c.directoryProblem(err)
	}
	people, err := cadence.ParseDirectoryCSV(bytes.NewReader(data), file)
	return people, c.directoryProblem(err)
}

// Check does what Parse cannot do from the file alone, for `cadence
// check-config`: it reads the org chart, and checks that every ICS owner
// and email of a policy's pairs is a person of it (or an alias). Feeds are
// not read: a missing or broken feed is a per-source error at run time.
func Check(c *Config) error {
	if (c.Google.Directory.Enabled || c.Microsoft.Directory.Enabled) && c.Directory.CSV == "" && c.Directory.YAML == "" {
		// The org chart comes from a directory API: check-config uses no network.
		return nil
	}
	dir, err := c.LoadDirectory()
	if err != nil {
		return err
	}
	d := &decoder{file: c.File, lines: c.lines, bad: map[string]bool{}}
	notIn := func(path, email string) {
		_, ok := dir.Resolve(email)
		d.check(!ok, path, "%q is not in the directory (expected the email of a person of the org chart)", email)
	}
	for i, s := range c.Sources.ICS {
		notIn(index("sources.ics", i)+".owner", s.Owner)
	}
	for i, r := range c.Policies {
		for j, pair := range r.Match.Pairs {
			for k, e := range pair {
				notIn(fmt.Sprintf("policies[%d].match.pairs[%d][%d]", i, j, k), e)
			}
		}
	}
	return d.err()
}

// Password reads the SMTP password from its file (trailing newline
// trimmed) or environment variable (getenv, os.Getenv when nil); "" when no
// username is set. Errors name the file or variable, never the value.
func (s SMTP) Password(getenv func(string) string) (string, error) {
	if s.Username == "" {
		return "", nil
	} else if s.PasswordFile == "" && s.PasswordEnv == "" {
		return "", errors.New("config: digest.smtp.username is set but neither password_file nor password_env is")
	}
	return secret("digest.smtp.password", s.PasswordFile, s.PasswordEnv, getenv, func(s string) string { return strings.TrimRight(s, "\r\n") })
}

// ClientSecret reads the client secret as Password does (white space
// trimmed); "" when the credential is a certificate or there is none.
func (m Microsoft) ClientSecret(getenv func(string) string) (string, error) {
	return secret("microsoft.client_secret", m.ClientSecretFile, m.ClientSecretEnv, getenv, strings.TrimSpace)
}

// secret reads the secret of key (key_file, key_env) from file or env.
func secret(key, file, env string, getenv, trim func(string) string) (string, error) {
	switch {
	case file != "":
		b, err := os.ReadFile(file)
		if err != nil {
			return "", fmt.Errorf("config: %s_file: %w", key, err)
		} else if s := trim(string(b)); s != "" {
			return s, nil
		}
		return "", fmt.Errorf("config: %s_file %s is empty", key, file)
	case env != "":
		if getenv == nil {
			getenv = os.Getenv
		}
		if s := trim(getenv(env)); s != "" {
			return s, nil
		}
		return "", fmt.Errorf("config: %s_env: environment variable %s is empty or not set", key, env)
	}
	return "", nil
}
