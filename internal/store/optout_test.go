package store

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/cadence-dev/cadence/calendar/google"
)

func TestDigestOptOutAndSecretAcrossReopen(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "state.db")
	st, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	for _, r := range []string{"Ana@Example.com", "bo@example.com", "ana@example.com"} {
		if err := st.DigestOptOut(ctx, r, at); err != nil {
			t.Fatal(err)
		}
	}
	key, err := st.Secret(ctx, "digest_unsubscribe")
	if err != nil || len(key) != 32 {
		t.Fatalf("secret: %x, %v", key, err)
	}
	if err := st.SaveCalendar(ctx, "Ana@example.com", &google.CalendarState{SyncToken: "tok", TimeZone: "Europe/Berlin", UpdatedAt: at, Events: map[string]json.RawMessage{}}); err != nil {
		t.Fatal(err)
	}
	st.Close()
	if st, err = Open(ctx, path); err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if got, err := st.DigestOptOuts(ctx); err != nil || !slices.Equal(got, []string{"ana@example.com", "bo@example.com"}) {
		t.Errorf("opt-outs %v, %v", got, err)
	}
	if again, err := st.Secret(ctx, "digest_unsubscribe"); err != nil || !bytes.Equal(again, key) {
		t.Errorf("the secret changed across a reopen: %v", err)
	}
	if other, _ := st.Secret(ctx, "other"); bytes.Equal(other, key) {
		t.Error("two secrets alike")
	}
	if ok, err := st.DigestResubscribe(ctx, "ANA@example.com"); !ok || err != nil {
		t.Errorf("resubscribe: %v, %v", ok, err)
	}
	if ok, _ := st.DigestResubscribe(ctx, "ana@example.com"); ok {
		t.Error("resubscribed twice")
	}
	if got, _ := st.DigestOptOuts(ctx); !slices.Equal(got, []string{"bo@example.com"}) {
		t.Errorf("after resubscribe: %v", got)
	}
	if z, err := st.GoogleCalendarZones(ctx); err != nil || z["ana@example.com"] != "Europe/Berlin" {
		t.Errorf("zones %v, %v", z, err)
	}
}
