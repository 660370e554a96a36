package engine

import (
	"context"
	"fmt"
	"sort"

	"github.com/cadence-dev/cadence/cadence"
)

// A DirectorySource reads the people of the org chart: a CSV or YAML
// file, the Google Workspace directory, later Entra ID.
type DirectorySource interface {
	People(ctx context.Context) ([]cadence.Person, error)
}

// DirectoryFunc is a DirectorySource from a function (the config's file).
type DirectoryFunc func(ctx context.Context) ([]cadence.Person, error)

// People calls f.
func (f DirectoryFunc) People(ctx context.Context) ([]cadence.Person, error) { return f(ctx) }

// DirectoryError is a directory that could not be read or built (a
// configuration problem for the commands: exit 3).
type DirectoryError struct{ Err error }

func (e *DirectoryError) Error() string { return e.Err.Error() }
func (e *DirectoryError) Unwrap() error { return e.Err }

// loadDirectory reads every directory source, the first as the base and
// each later one overriding it person by person (cadence.MergePeople: the
// CSV beside the Workspace directory supplies hire dates), and builds the
// directory.
func loadDirectory(ctx context.Context, srcs []DirectorySource) (*cadence.Directory, error) {
	if len(srcs) == 0 {
		return nil, &DirectoryError{Err: fmt.Errorf("engine: no directory source")}
	}
	var people []cadence.Person
	for i, s := range srcs {
		ps, err := s.People(ctx)
		if err != nil {
			return nil, &DirectoryError{Err: err}
		}
		if i == 0 {
			people = ps
		} else {
			people = cadence.MergePeople(people, ps)
		}
	}
	dir, err := cadence.NewDirectory(people)
	if err != nil {
		return nil, &DirectoryError{Err: err}
	}
	return dir, nil
}

// DirectoryOf is a DirectorySource serving the people of a directory
// already built (the org chart file once validated, a generated org).
func DirectoryOf(dir *cadence.Directory) DirectorySource {
	return DirectoryFunc(func(context.Context) ([]cadence.Person, error) {
		ps := dir.People()
		out := make([]cadence.Person, len(ps))
		for i, p := range ps {
			out[i] = *p
		}
		return out, nil
	})
}

// org is a directory as the sources see it (calendar.Org).
type org struct{ dir *cadence.Directory }

func (o org) Emails() []string {
	ps := o.dir.People()
	out := make([]string, 0, len(ps))
	for _, p := range ps {
		out = append(out, p.Email)
	}
	sort.Strings(out)
	return out
}

func (o org) Resolve(email string) (string, bool) { return o.dir.Resolve(email) }
