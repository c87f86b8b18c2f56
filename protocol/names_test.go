package protocol

import "testing"

func TestNames(t *testing.T) {
	for _, tc := range []struct {
		n          string
		base, safe bool
	}{
		{"a.txt", true, true},
		{"with space", true, true},
		{"Übersicht-概要.txt", true, true},
		{"", false, false},
		{".", false, false},
		{"..", false, false},
		{"a/b", false, false},
		{"/etc", false, false},
		{"a\\b", true, false},
		{"bell\a", true, false},
		{"esc\x1b[2J", true, false},
		{"del\x7f", true, false},
		{"c1\u009b", true, false},
		{"nul\x00", true, false},
	} {
		if got := IsBaseName(tc.n); got != tc.base {
			t.Errorf("IsBaseName(%q) = %v, want %v", tc.n, got, tc.base)
		}
		if got := SafeName(tc.n); got != tc.safe {
			t.Errorf("SafeName(%q) = %v, want %v", tc.n, got, tc.safe)
		}
	}
}
