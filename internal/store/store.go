// Package store is cadence's embedded state: a SQLite database
// (modernc.org/sqlite, no cgo) in WAL mode whose schema is built by
// numbered migrations embedded in the binary (migrations/NNNN_name.sql,
// applied in order, each in its own transaction, recorded in
// schema_migrations).
//
// It holds the Google Calendar and Microsoft Graph sync state
// (google.StateStore, microsoft.StateStore, migration 0004); later
// migrations add the daemon's tables (ICS validators, occurrence history,
// digest send log). The file (and SQLite's -wal and -shm files beside it)
// is private to its owner (0600). Errors start with "store: ", except a
// *StateError: a state file that cannot be created or written, or is not a
// database, named with what is wrong.
package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"modernc.org/sqlite" // registers driver "sqlite"

	"github.com/cadence-dev/cadence/calendar"
	"github.com/cadence-dev/cadence/calendar/icsfeed"
)

func init() {
	// Functions of migration 0003 (feed records without URLs).
	text := func(f func(string) string) func(*sqlite.FunctionContext, []driver.Value) (driver.Value, error) {
		return func(_ *sqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
			switch v := args[0].(type) {
			case string:
				return f(v), nil
			case []byte:
				return []byte(f(string(v))), nil
			}
			return args[0], nil
		}
	}
	sqlite.MustRegisterDeterministicScalarFunction("cadence_feed_source", 1, text(icsfeed.UpgradeSourceID))
	sqlite.MustRegisterDeterministicScalarFunction("cadence_feed_body", 1, text(func(b string) string {
		return string(calendar.Minimize([]byte(b)))
	}))
}

//go:embed migrations/*.sql
var migrationFS embed.FS

// Store is an open state database. It is safe for concurrent use.
type Store struct {
	db    *sql.DB
	path  string
	notes []string
}

// Open opens (creating when needed) the database at path and brings its
// schema up to date. The busy timeout is 5 s; write transactions take the
// write lock at BEGIN (IMMEDIATE) so concurrent writers queue instead of
// failing. The WAL is checkpointed every 10,000 pages (about 40 MB) instead
// of SQLite's 1,000: the first history of a large org rewrites the same
// B-tree pages many times, and fewer checkpoints write them fewer times
// (BenchmarkSaveHistory: -20%); durability is the same.
//
// A new database file is created with mode 0600 before SQLite opens it
// (SQLite gives its -wal and -shm files the database's mode); an existing
// one readable by others is made private, and Notes says so.
func Open(ctx context.Context, path string) (*Store, error) {
	if path == "" {
		return nil, errors.New("store: no database path")
	}
	notes, err := privateFile(path)
	if err != nil {
		if r := fileProblem(path); r != "" {
			return nil, &StateError{Path: path, Reason: r}
		}
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	q := url.Values{}
	for _, p := range []string{"busy_timeout(5000)", "journal_mode(WAL)", "foreign_keys(1)", "synchronous(NORMAL)", "wal_autocheckpoint(10000)"} {
		q.Add("_pragma", p)
	}
	q.Set("_txlock", "immediate")
	dsn := "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + q.Encode()
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	// One connection: SQLite has one writer anyway, and serializing in Go
	// (instead of many connections waiting on the file lock) means no
	// SQLITE_BUSY under thousands of concurrent feed saves, and one file
	// descriptor.
	db.SetMaxOpenConns(1)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		if se := stateError(path, err); se != nil {
			return nil, se
		}
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	var mode string
	if err := db.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil {
		db.Close()
		if se := stateError(path, err); se != nil {
			return nil, se
		}
		return nil, fmt.Errorf("store: %s: read journal mode: %w", path, err)
	}
	if !strings.EqualFold(mode, "wal") {
		db.Close()
		if r := fileProblem(path); r != "" {
			// A write-protected file opens read only, in its old mode.
			return nil, &StateError{Path: path, Reason: r}
		}
		return nil, fmt.Errorf("store: %s: journal mode is %q, want wal", path, mode)
	}
	s := &Store{db: db, path: path, notes: notes}
	if err := migrate(ctx, db, migrationFS, "migrations"); err != nil {
		db.Close()
		if se := stateError(path, err); se != nil {
			return nil, se
		}
		return nil, fmt.Errorf("store: %s: %w", path, err)
	}
	return s, nil
}

// Notes are what Open changed that the operator should hear of (a state
// file readable by others, made private), for the caller to log.
func (s *Store) Notes() []string { return s.notes }

// privateFile creates the database file with mode 0600 when it does not
// exist, and takes the group's and others' permissions off the database
// and the -wal, -shm and -journal files beside it when they have any.
func privateFile(path string) ([]string, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	switch {
	case err == nil:
		if err := f.Close(); err != nil {
			return nil, err
		}
	case !errors.Is(err, fs.ErrExist):
		return nil, err
	}
	var notes []string
	for _, p := range []string{path, path + "-wal", path + "-shm", path + "-journal"} {
		st, err := os.Stat(p)
		if err != nil || !st.Mode().IsRegular() || st.Mode().Perm()&0o077 == 0 {
			continue
		}
		perm := st.Mode().Perm()
		if err := os.Chmod(p, perm&0o700); err != nil {
			notes = append(notes, fmt.Sprintf("state file %s is readable by others (mode %04o) and could not be made private: %v", p, perm, err))
			continue
		}
		notes = append(notes, fmt.Sprintf("state file %s was readable by others (mode %04o); now %04o", p, perm, perm&0o700))
	}
	return notes, nil
}

// Close closes the database.
func (s *Store) Close() error {
	if err := s.db.Close(); err != nil {
		return fmt.Errorf("store: close %s: %w", s.path, err)
	}
	return nil
}

// SchemaVersion returns the number of the last applied migration.
func (s *Store) SchemaVersion(ctx context.Context) (int, error) {
	v, err := schemaVersion(ctx, s.db)
	if err != nil {
		return 0, fmt.Errorf("store: %s: %w", s.path, err)
	}
	return v, nil
}

// inTx runs f in one transaction, committed when f returns nil and rolled
// back otherwise.
func (s *Store) inTx(ctx context.Context, f func(tx *sql.Tx) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := f(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	return tx.Commit()
}

type migration struct {
	version int
	name    string
	sql     string
}

var migrationName = regexp.MustCompile(`^(\d{4})_([a-z0-9_]+)\.sql$`)

// loadMigrations reads dir of fsys: files NNNN_name.sql numbered 1, 2, ...
// without gaps or duplicates.
func loadMigrations(fsys fs.FS, dir string) ([]migration, error) {
	ents, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, fmt.Errorf("read migrations: %w", err)
	}
	var ms []migration
	for _, e := range ents {
		if e.IsDir() {
			continue
		}
		m := migrationName.FindStringSubmatch(e.Name())
		if m == nil {
			return nil, fmt.Errorf("migration %s: name must be NNNN_name.sql (lower case)", e.Name())
		}
		v, _ := strconv.Atoi(m[1])
		b, err := fs.ReadFile(fsys, path.Join(dir, e.Name()))
		if err != nil {
			return nil, fmt.Errorf("migration %s: %w", e.Name(), err)
		}
		ms = append(ms, migration{version: v, name: e.Name(), sql: string(b)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].version < ms[j].version })
	for i, m := range ms {
		if m.version != i+1 {
			return nil, fmt.Errorf("migration %s: expected number %04d (migrations are numbered 0001, 0002, ... without gaps or duplicates)", m.name, i+1)
		}
	}
	return ms, nil
}

func schemaVersion(ctx context.Context, db *sql.DB) (int, error) {
	var v sql.NullInt64
	if err := db.QueryRowContext(ctx, "SELECT MAX(version) FROM schema_migrations").Scan(&v); err != nil {
		return 0, fmt.Errorf("read schema version: %w", err)
	}
	return int(v.Int64), nil
}

// vacuumMark in a migration asks for a VACUUM (and a truncating WAL
// checkpoint) once the migrations are applied: the migration rewrote text
// that must not survive in free pages or the WAL.
const vacuumMark = "-- cadence:vacuum"

// migrate applies the migrations of dir that the database lacks, each in
// its own transaction together with its schema_migrations row.
func migrate(ctx context.Context, db *sql.DB, fsys fs.FS, dir string) error {
	ms, err := loadMigrations(fsys, dir)
	if err != nil {
		return err
	}
	if _, err := db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version INTEGER PRIMARY KEY,
		name TEXT NOT NULL,
		applied_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP)`); err != nil {
		return fmt.Errorf("create schema_migrations: %w", err)
	}
	cur, err := schemaVersion(ctx, db)
	if err != nil {
		return err
	}
	if cur > len(ms) {
		return fmt.Errorf("database schema version %d is newer than this cadence knows (%d): use a newer cadence", cur, len(ms))
	}
	vacuum := false
	for _, m := range ms[cur:] {
		vacuum = vacuum || strings.Contains(m.sql, vacuumMark)
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			return fmt.Errorf("migration %s: %w", m.name, err)
		}
		if _, err := tx.ExecContext(ctx, m.sql); err != nil {
			_ = tx.Rollback()
			return fmt.Errorf("migration %s: %w", m.name, err)
		}
		if _, err := tx.ExecContext(ctx, "INSERT INTO schema_migrations(version, name) VALUES (?, ?)", m.version, m.name); err != nil {
			_ = tx.Rollback()
			return fmt.Errorf("migration %s: record: %w", m.name, err)
		}
		if err := tx.Commit(); err != nil {
			return fmt.Errorf("migration %s: commit: %w", m.name, err)
		}
	}
	if vacuum {
		if _, err := db.ExecContext(ctx, "VACUUM"); err != nil {
			return fmt.Errorf("vacuum after migrating: %w", err)
		}
		if _, err := db.ExecContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)"); err != nil {
			return fmt.Errorf("checkpoint after migrating: %w", err)
		}
	}
	return nil
}
