package store

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// StateError is a state file cadence cannot use: one it cannot create or
// write, or one that is not a SQLite database. Its message names the path
// and what is wrong with it rather than SQLite's bare message. It is a
// runtime failure, not an invalid configuration.
type StateError struct {
	Path   string
	Reason string // "is not writable", "is not a cadence state database (...)", ...
	Err    error  // SQLite's or the file system's error
}

func (e *StateError) Error() string { return "state file " + e.Path + " " + e.Reason }
func (e *StateError) Unwrap() error { return e.Err }

// CheckWritable reports a *StateError when the database cannot be written:
// SQLite opens a write-protected file read only, and the first write (an
// evaluation's history) would fail. The daemon checks at start; the
// one-shot commands only read and do not.
func (s *Store) CheckWritable(ctx context.Context) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err == nil {
		// A statement that writes (nothing): SQLite checks that the
		// database is writable when it starts one, not at BEGIN.
		_, err = tx.ExecContext(ctx, "DELETE FROM schema_migrations WHERE 0")
		if rerr := tx.Rollback(); err == nil {
			return rerr
		}
	}
	if se := stateError(s.path, err); se != nil {
		return se
	}
	return fmt.Errorf("store: %s: %w", s.path, err)
}

// stateError explains a SQLite error that means the file at path cannot be
// used, or returns nil for any other error.
func stateError(path string, err error) error {
	var se *sqlite.Error
	if !errors.As(err, &se) {
		return nil
	}
	msg := sqliteMessage(se)
	switch se.Code() & 0xff {
	case sqlite3.SQLITE_NOTADB, sqlite3.SQLITE_CORRUPT:
		return &StateError{Path: path, Err: err, Reason: fmt.Sprintf(
			"is not a cadence state database (%s): move it away to start afresh, or restore it from a backup", msg)}
	case sqlite3.SQLITE_READONLY, sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_PERM, sqlite3.SQLITE_IOERR:
		if r := fileProblem(path); r != "" {
			return &StateError{Path: path, Err: err, Reason: r}
		}
		if se.Code()&0xff != sqlite3.SQLITE_IOERR {
			return &StateError{Path: path, Err: err, Reason: "is not writable (" + msg + ")"}
		}
	}
	return nil
}

// sqliteMessage is SQLite's message without its " (code)" suffix.
func sqliteMessage(se *sqlite.Error) string {
	m := se.Error()
	if i := strings.LastIndex(m, " ("); i > 0 && strings.HasSuffix(m, ")") {
		m = m[:i]
	}
	return m
}

// fileProblem looks at the file system for why path cannot be opened for
// writing; "" when it finds nothing wrong (root writes anything).
func fileProblem(path string) string {
	dir, base := filepath.Dir(path), filepath.Base(path)
	fi, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		di, derr := os.Stat(dir)
		switch {
		case errors.Is(derr, fs.ErrNotExist):
			return fmt.Sprintf("cannot be created: directory %s does not exist", dir)
		case derr != nil:
			return fmt.Sprintf("cannot be created: %s", errMessage(derr))
		case !di.IsDir():
			return fmt.Sprintf("cannot be created: %s is not a directory", dir)
		case !dirWritable(dir):
			return fmt.Sprintf("cannot be created: directory %s is not writable", dir)
		}
		return ""
	case err != nil:
		return "cannot be read: " + errMessage(err)
	case fi.IsDir():
		return "is a directory (expected a file path such as cadence.db)"
	}
	for _, f := range []string{path, path + "-wal", path + "-shm"} {
		if err := openForWriting(f); err != nil {
			if f == path {
				return fmt.Sprintf("is not writable (%s)", errMessage(err))
			}
			return fmt.Sprintf("is not writable: %s is not (%s)", f, errMessage(err))
		}
	}
	if !dirWritable(dir) {
		return fmt.Sprintf("is not writable: its directory %s is not (SQLite creates %s-wal and %s-shm beside it)", dir, base, base)
	}
	return ""
}

// openForWriting opens f write-only (changing nothing); a missing file is
// fine.
func openForWriting(f string) error {
	w, err := os.OpenFile(f, os.O_WRONLY, 0)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	return w.Close()
}

// dirWritable reports whether a file can be created in dir.
func dirWritable(dir string) bool {
	f, err := os.CreateTemp(dir, ".cadence-check-*")
	if err != nil {
		return false
	}
	f.Close()
	os.Remove(f.Name())
	return true
}

// errMessage is a file system error without the path (the message names
// it already).
func errMessage(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}
