package calendar

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

const tinyICS = "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:x\r\nDTSTART:20240101T100000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"

func TestFetchHTTPConditional(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		if r.URL.Query().Get("token") != "s3cret" {
			http.Error(w, "forbidden", http.StatusForbidden)
			return
		}
		if r.Header.Get("If-None-Match") == `"v1"` && r.Header.Get("If-Modified-Since") == "Mon, 01 Jan 2024 00:00:00 GMT" {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("ETag", `"v1"`)
		w.Header().Set("Last-Modified", "Mon, 01 Jan 2024 00:00:00 GMT")
		w.Write([]byte(tinyICS))
	}))
	defer srv.Close()
	src := ICSSource{Name: "ann", URL: srv.URL + "/cal.ics?token=s3cret"}
	res, err := Fetch(context.Background(), src, FetchOptions{Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if res.NotModified || string(res.Data) != tinyICS || res.Validators != (Validators{ETag: `"v1"`, LastModified: "Mon, 01 Jan 2024 00:00:00 GMT"}) {
		t.Fatalf("first fetch = %+v", res)
	}
	res2, err := Fetch(context.Background(), src, FetchOptions{Previous: &res.Validators})
	if err != nil {
		t.Fatal(err)
	}
	if !res2.NotModified || res2.Data != nil || res2.Validators != res.Validators {
		t.Errorf("conditional fetch = %+v", res2)
	}
	if hits.Load() != 2 {
		t.Errorf("%d requests", hits.Load())
	}

	// Non-2xx: the error names the feed, the URL's host only, and the status.
	_, err = Fetch(context.Background(), ICSSource{Name: "bob", URL: srv.URL + "/cal.ics?token=wrong"}, FetchOptions{})
	host := strings.TrimPrefix(srv.URL, "http://")
	if err == nil || err.Error() != "calendar: feed bob ("+host+"): HTTP status 403 Forbidden" || !errors.Is(err, ErrHTTPStatus) {
		t.Errorf("403 error = %v", err)
	}
}

func TestFetchLimitsAndErrors(t *testing.T) {
	big := strings.Repeat("X", 2000)
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/big":
			w.Write([]byte(big))
		case "/chunked":
			w.(http.Flusher).Flush()
			w.Write([]byte(big))
		case "/hang":
			select {
			case <-r.Context().Done():
			case <-release:
			}
		}
	}))
	defer srv.Close()
	defer close(release)
	for _, path := range []string{"/big", "/chunked"} {
		_, err := Fetch(context.Background(), ICSSource{Name: "huge", URL: srv.URL + path}, FetchOptions{MaxBytes: 1000})
		if err == nil || !strings.Contains(err.Error(), "calendar: feed huge") || !strings.Contains(err.Error(), "1000-byte limit") || !errors.Is(err, ErrTooLarge) {
			t.Errorf("%s: size error = %v", path, err)
		}
	}
	_, err := Fetch(context.Background(), ICSSource{Name: "slow", URL: srv.URL + "/hang?key=abc"}, FetchOptions{Timeout: 50 * time.Millisecond})
	if err == nil || !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "calendar: feed slow (") || strings.Contains(err.Error(), "abc") || strings.Contains(err.Error(), "hang") {
		t.Errorf("timeout error = %v", err)
	}
	for _, tc := range []struct {
		src  ICSSource
		want string
	}{
		{ICSSource{Name: "a"}, "calendar: feed a: neither path nor url is set"},
		{ICSSource{Name: "b", Path: "x", URL: "http://x"}, "calendar: feed b: both path and url are set"},
		{ICSSource{Name: "c", URL: "ftp://example.com/x.ics?pw=1"}, "calendar: feed c (example.com): url: want an absolute http(s) URL"},
		{ICSSource{Name: "d", URL: "https://user:pw@example.com:bad/x.ics"}, "calendar: feed d (example.com:bad): url: want an absolute http(s) URL"},
		{ICSSource{Name: "e", Path: filepath.Join(t.TempDir(), "missing.ics")}, "calendar: feed e: open"},
		{ICSSource{Name: "f", Path: t.TempDir()}, "is a directory"},
	} {
		_, err := Fetch(context.Background(), tc.src, FetchOptions{})
		if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "pw") || strings.Contains(err.Error(), "x.ics") {
			t.Errorf("%+v: error = %v, want %q", tc.src, err, tc.want)
		}
	}
}

func TestFetchFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "feed.ics")
	if err := os.WriteFile(path, []byte(tinyICS), 0o600); err != nil {
		t.Fatal(err)
	}
	src := ICSSource{Name: "file", Path: path}
	res, err := Fetch(context.Background(), src, FetchOptions{})
	if err != nil || string(res.Data) != tinyICS || res.Validators.LastModified == "" {
		t.Fatalf("file fetch = %+v, %v", res, err)
	}
	again, err := Fetch(context.Background(), src, FetchOptions{Previous: &res.Validators})
	if err != nil || !again.NotModified || again.Data != nil {
		t.Errorf("unchanged file = %+v, %v", again, err)
	}
	if err := os.WriteFile(path, []byte(tinyICS+tinyICS), 0o600); err != nil {
		t.Fatal(err)
	}
	changed, err := Fetch(context.Background(), src, FetchOptions{Previous: &res.Validators})
	if err != nil || changed.NotModified || len(changed.Data) != 2*len(tinyICS) {
		t.Errorf("changed file = %+v, %v", changed, err)
	}
	if _, err := Fetch(context.Background(), src, FetchOptions{MaxBytes: 10}); err == nil || !strings.Contains(err.Error(), "calendar: feed file") || !strings.Contains(err.Error(), "10-byte limit") || !errors.Is(err, ErrTooLarge) {
		t.Errorf("file size limit error = %v", err)
	}
}
