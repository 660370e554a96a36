package google

import (
	"context"
	"encoding/json"
	"sync"
	"time"
)

// CalendarState is what is kept of one calendar between sync cycles: the
// sync token for the next incremental request and the calendar's event
// set, by event id. Each value is the event as Google sent it, trimmed to
// the fields cadence uses (no description, location, attachments or
// conference data: titles are kept, nothing else free-form), in Calendar
// v3 JSON. Cancelled exceptions are kept (they cancel an instance);
// deleted masters and single events are removed.
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

// MemoryStore is an in-memory StateStore (tests, one-shot runs). It stores
// copies, so callers may keep changing what they passed.
type MemoryStore struct {
	mu    sync.Mutex
	cals  map[string]*CalendarState
	saves int
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

// DeleteCalendar implements StateStore.
func (m *MemoryStore) DeleteCalendar(_ context.Context, calendarID string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.cals, calendarID)
	return nil
}
