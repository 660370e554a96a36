package store

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestDigestLogLifecycleAcrossReopen(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "state.db")
	st, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)
	const week, who, id = "2026-W48", "ana@example.com", "<digest-2026-W48-abc@example.com>"
	if rec, err := st.DigestRecord(ctx, week, who); err != nil || rec != nil {
		t.Fatalf("empty log: %+v, %v", rec, err)
	}
	if err := st.DigestDone(ctx, week, who, "", at); err == nil || !strings.Contains(err.Error(), "no attempt was recorded") {
		t.Fatalf("done without an attempt: %v", err)
	}
	rec, err := st.DigestAttempt(ctx, week, who, id, at)
	if err != nil || rec.State != DigestPending || rec.Attempts != 1 || rec.MessageID != id {
		t.Fatalf("first attempt: %+v, %v", rec, err)
	}
	if err := st.DigestDone(ctx, week, who, "451 try later", at.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	// A crash here: reopen; the failed row is still there with its error.
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	if st, err = Open(ctx, path); err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	rec, err = st.DigestRecord(ctx, week, who)
	if err != nil || rec.State != DigestFailed || rec.Attempts != 1 || rec.LastError != "451 try later" || !rec.UpdatedAt.Equal(at.Add(time.Minute)) {
		t.Fatalf("after reopen: %+v, %v", rec, err)
	}
	rec, err = st.DigestAttempt(ctx, week, who, id, at.Add(2*time.Minute))
	if err != nil || rec.State != DigestPending || rec.Attempts != 2 {
		t.Fatalf("second attempt: %+v, %v", rec, err)
	}
	if err := st.DigestDone(ctx, week, who, "", at.Add(3*time.Minute)); err != nil {
		t.Fatal(err)
	}
	// Once sent, an attempt changes nothing and says so.
	rec, err = st.DigestAttempt(ctx, week, who, "<other@x>", at.Add(4*time.Minute))
	if err != nil || rec.State != DigestSent || rec.Attempts != 2 || rec.MessageID != id {
		t.Fatalf("attempt after sent: %+v, %v", rec, err)
	}
	if _, err := st.DigestAttempt(ctx, "2026-W49", who, "<w49@x>", at.Add(7*24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	all, err := st.DigestLog(ctx, "")
	if err != nil || len(all) != 2 || all[0].Week != week || all[0].State != DigestSent || all[1].Week != "2026-W49" || all[1].State != DigestPending {
		t.Fatalf("log: %+v, %v", all, err)
	}
	one, err := st.DigestLog(ctx, "2026-W49")
	if err != nil || len(one) != 1 {
		t.Fatalf("log of W49: %+v, %v", one, err)
	}
}
