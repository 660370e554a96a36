package cadence

import (
	"reflect"
	"testing"
	"time"
)

func TestMergePeople(t *testing.T) {
	d := func(s string) time.Time { t, _ := time.Parse("2006-01-02", s); return t }
	base := []Person{
		{Email: "ana@example.com", Name: "Ana", ID: "1", Title: "CEO"},
		{Email: "bo@example.com", Name: "Bo", Manager: "ana@example.com", ID: "2", Aliases: []string{"b@example.com"}},
	}
	override := []Person{
		{Email: "BO@example.com", HireDate: d("2026-09-01"), TeamStart: d("2026-10-01"), Aliases: []string{"b@example.com", "bob@example.com"}, Pos: "org.csv:3"},
		{Email: "cy@example.com", Name: "Cy", Manager: "bo@example.com", HireDate: d("2025-01-01")},
	}
	got := MergePeople(base, override)
	want := []Person{
		{Email: "ana@example.com", Name: "Ana", ID: "1", Title: "CEO"},
		{Email: "bo@example.com", Name: "Bo", Manager: "ana@example.com", ID: "2", HireDate: d("2026-09-01"), TeamStart: d("2026-10-01"), Aliases: []string{"b@example.com", "bob@example.com"}, Pos: "org.csv:3"},
		{Email: "cy@example.com", Name: "Cy", Manager: "bo@example.com", HireDate: d("2025-01-01")},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("MergePeople:\n got %+v\nwant %+v", got, want)
	}
	if base[1].Aliases[0] != "b@example.com" || len(base[1].Aliases) != 1 {
		t.Errorf("MergePeople modified its input: %+v", base[1])
	}
}
