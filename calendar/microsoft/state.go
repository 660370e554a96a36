package microsoft

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"sync"
	"time"
)

// MailboxState is what is kept of one mailbox's calendar between sync
// cycles: the delta link for the next round, the window the delta round
// covers (fixed when the round started), the instances in that window by
// Graph id, and the series masters those instances belong to.
//
// Values are Graph event JSON trimmed to the fields cadence uses (package
// graph declares no body, location or attachments: titles are kept,
// nothing else free-form). Two marks are cadence's own: an instance with
// "cadenceRemoved" is a single meeting that left the mailbox (the
// organizer cancelled or deleted it) and is kept, cancelled; a master
// with "cadenceGone" no longer exists (404), so its series cannot say
// which occurrences are missing.
type MailboxState struct {
	DeltaLink string
	// WindowStart and WindowEnd are the calendarView's startDateTime and
	// endDateTime of the delta round.
	WindowStart, WindowEnd time.Time
	Events                 map[string]json.RawMessage
	Masters                map[string]json.RawMessage
	// UpdatedAt is when the state was saved (the end of the last
	// successful sync of the mailbox).
	UpdatedAt time.Time
}

// StateStore persists MailboxState per mailbox. SaveMailbox must be
// atomic: after a crash either the old or the new state is there, never a
// mix. LoadMailbox returns (nil, nil) for an unknown mailbox.
type StateStore interface {
	LoadMailbox(ctx context.Context, mailbox string) (*MailboxState, error)
	SaveMailbox(ctx context.Context, mailbox string, st *MailboxState) error
	DeleteMailbox(ctx context.Context, mailbox string) error
}

// DeltaSaver is optionally implemented by a StateStore: it records a new
// delta link (and save time) of a mailbox whose events did not change,
// without rewriting them. It fails when the mailbox has no saved state.
type DeltaSaver interface {
	SaveDeltaLink(ctx context.Context, mailbox, deltaLink string, updatedAt time.Time) error
}

// MemoryStore is an in-memory StateStore (tests, one-shot runs). It
// stores copies, so callers may keep changing what they passed.
type MemoryStore struct {
	mu         sync.Mutex
	boxes      map[string]*MailboxState
	saves      int
	deltaSaves int
}

// NewMemoryStore returns an empty MemoryStore.
func NewMemoryStore() *MemoryStore {
	return &MemoryStore{boxes: map[string]*MailboxState{}}
}

func copyState(st *MailboxState) *MailboxState {
	out := *st
	out.Events = maps.Clone(st.Events)
	out.Masters = maps.Clone(st.Masters)
	if out.Events == nil {
		out.Events = map[string]json.RawMessage{}
	}
	if out.Masters == nil {
		out.Masters = map[string]json.RawMessage{}
	}
	return &out
}

// LoadMailbox implements StateStore.
func (m *MemoryStore) LoadMailbox(_ context.Context, mailbox string) (*MailboxState, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	st, ok := m.boxes[mailbox]
	if !ok {
		return nil, nil
	}
	return copyState(st), nil
}

// SaveMailbox implements StateStore.
func (m *MemoryStore) SaveMailbox(_ context.Context, mailbox string, st *MailboxState) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.boxes[mailbox] = copyState(st)
	m.saves++
	return nil
}

// SaveDeltaLink implements DeltaSaver.
func (m *MemoryStore) SaveDeltaLink(_ context.Context, mailbox, link string, updatedAt time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	st, ok := m.boxes[mailbox]
	if !ok {
		return fmt.Errorf("microsoft: memory store: no state for mailbox %s", mailbox)
	}
	st.DeltaLink, st.UpdatedAt = link, updatedAt
	m.deltaSaves++
	return nil
}

// DeleteMailbox implements StateStore.
func (m *MemoryStore) DeleteMailbox(_ context.Context, mailbox string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.boxes, mailbox)
	return nil
}

// Saves returns the number of SaveMailbox calls so far.
func (m *MemoryStore) Saves() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.saves
}

// DeltaSaves returns the number of SaveDeltaLink calls so far.
func (m *MemoryStore) DeltaSaves() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.deltaSaves
}
