package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzParse: no input may panic; a success is a complete, valid config; a
// failure lists problems, each naming the file, and is deterministic.
func FuzzParse(f *testing.F) {
	files, err := filepath.Glob("testdata/*.yaml")
	if err != nil {
		f.Fatal(err)
	}
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(""))
	f.Add([]byte("directory: {csv: a.csv}\nwindow: &w 7d\npolicies: [{name: a, every: *w}]\n"))
	f.Add([]byte("a: &a [*a]\n"))
	f.Add([]byte("directory: {csv: a.csv}\n<<: {window: 7d}\n"))
	f.Add([]byte("directory: {csv: a.csv}\nsources: {ics: [{name: a, owner: a@b.c, url: 'http://[::1]:x/'}]}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, err := Parse(data, "fuzz.yaml")
		if err != nil {
			if cfg != nil {
				t.Fatal("config returned with an error")
			}
			probs := Problems(err)
			if len(probs) == 0 {
				t.Fatalf("error without problems: %v", err)
			}
			for _, p := range probs {
				if !strings.HasPrefix(p.Error(), "config: fuzz.yaml") {
					t.Fatalf("problem %q does not name the file", p.Error())
				}
			}
			_, err2 := Parse(data, "fuzz.yaml")
			if err2 == nil || err2.Error() != err.Error() {
				t.Fatalf("not deterministic:\n%v\n%v", err, err2)
			}
			return
		}
		if cfg.Timezone == nil || cfg.Window <= 0 || cfg.Classification.MaxDuration <= 0 ||
			cfg.Classification.SkipLevels < 2 || cfg.Sources.HTTP.Timeout <= 0 || cfg.Sources.HTTP.MaxBytes <= 0 {
			t.Fatalf("invalid config accepted: %+v", cfg)
		}
		if (cfg.Directory.CSV == "") == (cfg.Directory.YAML == "") {
			t.Fatalf("directory %+v accepted", cfg.Directory)
		}
		if len(cfg.Policies) == 0 {
			t.Fatal("no policies accepted")
		}
		names := map[string]bool{}
		for _, r := range cfg.Policies {
			if r.Name == "" || names[r.Name] || r.Every <= 0 || r.Grace < 0 || r.MinDuration < 0 || r.MaxConsecutiveCancellations < 0 {
				t.Fatalf("invalid rule accepted: %+v", r)
			}
			names[r.Name] = true
		}
		srcs := map[string]bool{}
		for _, s := range cfg.ICSSources() {
			if s.Zone == nil || s.Name == "" || srcs[s.Name] || (s.Path == "") == (s.URL == "") || s.Owner != strings.ToLower(s.Owner) {
				t.Fatalf("invalid source accepted: %+v", s)
			}
			srcs[s.Name] = true
		}
		_ = cfg.Options()
	})
}
