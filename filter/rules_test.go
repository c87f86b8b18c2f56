package filter

import "testing"

func TestRules_Basics(t *testing.T) {
	r := MustCompile(Spec{Rules: append(Exclude("*.log", "build/", "/top", "a/**", "x{y}"), Include("keep.log")...)})
	for _, c := range []struct {
		rel  string
		dir  bool
		want bool
	}{
		{"a.log", false, true}, {"d/e/f.log", false, true}, {"keep.log", false, false}, {"d/keep.log", false, false},
		{"build", true, true}, {"build", false, false}, {"s/build/x.c", false, true},
		{"top", false, true}, {"s/top", false, false}, {"a", true, false}, {"a/b", false, true}, {"a/b/c", true, true},
		{"x{y}", false, true},
	} {
		if got := r.Excluded(c.rel, c.dir); got != c.want {
			t.Errorf("Excluded(%q, %v) = %v, want %v", c.rel, c.dir, got, c.want)
		}
	}
}
