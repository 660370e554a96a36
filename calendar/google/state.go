package google

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"time"
)

// CalendarState is what is kept of one calendar between sync cycles: the
// sync token for the next incremental request and the calendar's event
// set, by event id. Each value is the event as Google sent it, trimmed to
// the fields cadence uses (no description, location, attachments or
// conference data: titles are kept, nothing else free-form), in Calendar
// v3 JSON. Cancelled exceptions are kept (they cancel an instance);
// deleted masters (a series deleted as a whole) are removed; cancelled
// and deleted single events stay, with status cancelled.
type CalendarState struct {
	SyncToken string
	Events    map[string]json.RawMessage
	// TimeZone is the calendar's own zone as events.list reports it.
	TimeZone string
	// UpdatedAt is when the state was saved (the end of the last successful
	// sync of the calendar).
	UpdatedAt time.Time
}

// StateStore persists CalendarState per calendar id. SaveCalendar must be
// atomic: after a crash either the old or the new state is there, never a
// mix. LoadCalendar returns (nil, nil) for an unknown calendar.
type StateStore interface {
	LoadCalendar(ctx context.Context, calendarID string) (*CalendarState, error)
	SaveCalendar(ctx context.Context, calendarID string, st *CalendarState) error
	DeleteCalendar(ctx context.Context, calendarID string) error
}

// TokenSaver is optionally implemented by a StateStore: it records a new
// sync token (and zone and save time) of a calendar whose event set did
// not change, without rewriting the events. It fails when the calendar
// has no saved state.
type TokenSaver interface {
	SaveSyncToken(ctx context.Context, calendarID, token, timeZone string, updatedAt time.Time) error
}

// MemoryStore is an in-memory StateStore (tests, one-shot runs). It stores
// copies, so callers may keep changing what they passed.
type MemoryStore struct {
	mu         sync.Mutex
	cals       map[string]*CalendarState
	saves      int
	tokenSaves int
}

// Saves returns the number of SaveCalendar calls so far.
func (m *MemoryStore) Saves() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.saves
}

// NewMemoryStore returns an empty MemoryStore.
func NewMemoryStore() *MemoryStore {
	return &MemoryStore{cals: map[string]*CalendarState{}}
}

func copyState(st *CalendarState) *CalendarState {
	out := &CalendarState{SyncToken: st.SyncToken, TimeZone: st.TimeZone, UpdatedAt: st.UpdatedAt, Events: make(map[string]json.RawMessage, len(st.Events))}
	for k, v := range st.Events {
		out.Events[k] = append(json.RawMessage(nil), v...)
	}
	return out
}

// LoadCalendar implements StateStore.
func (m *MemoryStore) LoadCalendar(_ context.Context, calendarID string) (*CalendarState, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	st, ok := m.cals[calendarID]
	if !ok {
		return nil, nil
	}
	return copyState(st), nil
}

// SaveCalendar implements StateStore.
func (m *MemoryStore) SaveCalendar(_ context.Context, calendarID string, st *CalendarState) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.cals[calendarID] = copyState(st)
	m.saves++
	return nil
}

// SaveSyncToken implements TokenSaver.
func (m *MemoryStore) SaveSyncToken(_ context.Context, calendarID, token, timeZone string, updatedAt time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	st, ok := m.cals[calendarID]
	if !ok {
		return fmt.Errorf("google: memory store: no state for calendar %s", calendarID)
	}
	st.SyncToken, st.TimeZone, st.UpdatedAt = token, timeZone, updatedAt
	m.tokenSaves++
	return nil
}

// TokenSaves returns the number of SaveSyncToken calls so far.
func (m *MemoryStore) TokenSaves() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.tokenSaves
}

// DeleteCalendar implements StateStore.
func (m *MemoryStore) DeleteCalendar(_ context.Context, calendarID string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.cals, calendarID)
	return nil
}
