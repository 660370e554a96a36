package calendar

import "testing"

func TestSeriesUIDSplitForms(t *testing.T) {
	for in, want := range map[string]string{
		"abc@google.com":                                   "abc@google.com",
		"abc_R20231009T130000@google.com":                  "abc@google.com",
		"abc_R20231009T130000Z@google.com":                 "abc@google.com",
		"abc_R20231009T130000_R20240101T090000@google.com": "abc@google.com",
		"abc_R20231009T130000":                             "abc",
		"_R20231009T130000@google.com":                     "_R20231009T130000@google.com", // nothing left: not a split
		"abc_R2023@google.com":                             "abc_R2023@google.com",
		"abc_R20231009T130000@x_R20231009T130000":          "abc@x_R20231009T130000",
	} {
		if got := SeriesUID(in); got != want {
			t.Errorf("SeriesUID(%q) = %q, want %q", in, got, want)
		}
	}
}
