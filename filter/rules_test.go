package filter

import (
	"encoding/json"
	"testing"
)

func TestRules_Order(t *testing.T) {
	tests := []struct {
		name string
		spec Spec
		rel  string
		dir  bool
		want bool
	}{
		{"no rules exclude nothing", Spec{}, "a.log", false, false},
		{"an exclude excludes", Spec{Rules: Exclude("*.log")}, "d/a.log", false, true},
		{"a later include wins over an earlier exclude", Spec{Rules: append(Exclude("*.log"), Include("keep.log")...)}, "keep.log", false, false},
		{"a later exclude wins over an earlier include", Spec{Rules: append(Include("keep.log"), Exclude("*.log")...)}, "keep.log", false, true},
		{"an include alone changes nothing", Spec{Rules: Include("*.go")}, "a.txt", false, false},
		{"include after exclude-everything re-includes", Spec{Rules: append(Exclude("*"), Include("*.go")...)}, "a.go", false, false},
		{"but not inside an excluded directory", Spec{Rules: append(Exclude("*"), Include("*.go")...)}, "d/a.go", false, true},
		{"a directory-only exclude leaves a file", Spec{Rules: Exclude("node_modules/")}, "node_modules", false, false},
		{"a directory-only exclude takes the directory", Spec{Rules: Exclude("node_modules/")}, "node_modules", true, true},
		{"and everything under it", Spec{Rules: Exclude("node_modules/")}, "web/node_modules/x/y.js", false, true},
		{"an anchored pattern matches at the root only", Spec{Rules: Exclude("/vendor")}, "x/vendor", true, false},
		{"the root is never excluded", Spec{Rules: Exclude("*")}, "", true, false},
		{"dot-slash and slashes around a path are ignored", Spec{Rules: Exclude("/a/b")}, "./a/b/", true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := Compile(tt.spec)
			if err != nil {
				t.Fatal(err)
			}
			if got := r.Excluded(tt.rel, tt.dir); got != tt.want {
				t.Errorf("%v: Excluded(%q, %v) = %v, want %v", tt.spec.Rules, tt.rel, tt.dir, got, tt.want)
			}
		})
	}
}

func TestRules_CommandLineWinsOverGitignore(t *testing.T) {
	r := MustCompile(Spec{Rules: append(Include("dist/"), Exclude("secret.txt")...), Gitignore: true}).
		WithGitignore("", []byte("dist/\n!secret.txt\n"))
	if r.Excluded("dist/app.js", false) {
		t.Error("--include dist/ lost to .gitignore's dist/")
	}
	if !r.Excluded("secret.txt", false) {
		t.Error("--exclude secret.txt lost to .gitignore's !secret.txt")
	}
}

func TestRules_WithGitignoreNeedsGitignore(t *testing.T) {
	r := MustCompile(Spec{Rules: Exclude("x")})
	if got := r.WithGitignore("", []byte("*.log\n")); got != r {
		t.Error("WithGitignore without Spec.Gitignore made new rules")
	}
	var nilRules *Rules
	if nilRules.WithGitignore("", []byte("*\n")) != nil || nilRules.Excluded("a", false) || nilRules.Gitignore() {
		t.Error("nil Rules do something")
	}
}

func TestCompile(t *testing.T) {
	if r, err := Compile(Spec{}); r != nil || err != nil {
		t.Errorf("Compile(Spec{}) = %v, %v, want nil, nil", r, err)
	}
	for _, bad := range []string{"", "/", "//", "a[", `a\`} {
		if _, err := Compile(Spec{Rules: Exclude(bad)}); err == nil {
			t.Errorf("Compile(--exclude %q) gave no error", bad)
		}
	}
}

func TestParseLines(t *testing.T) {
	got := ParseLines([]byte("\xef\xbb\xbf# c\r\n*.o\r\n\n!keep.o  \n\\!x\n\\#y\n"))
	want := []Rule{{Pattern: "*.o"}, {Include: true, Pattern: "keep.o"}, {Pattern: "!x"}, {Pattern: "#y"}}
	if len(got) != len(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for i := range got {
		if got[i] != want[i] {
			t.Errorf("rule %d: got %+v, want %+v", i, got[i], want[i])
		}
	}
}

func TestSpec_JSON(t *testing.T) {
	in := Spec{Rules: append(Exclude(".git"), Include("!x")...), Gitignore: true}
	b, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	var out Spec
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	if len(out.Rules) != 2 || out.Rules[1] != in.Rules[1] || !out.Gitignore {
		t.Errorf("round trip of %s gave %+v", b, out)
	}
	if b, _ := json.Marshal(Spec{}); string(b) != "{}" {
		t.Errorf("an empty Spec marshals as %s, want {}", b)
	}
}

func FuzzRules(f *testing.F) {
	for _, s := range []string{"*.log", "/a/**/b/", "[!a-z]?", `\#x`, "{a,b}", "a/**", "**", "[]]", "[", `x\`, "a[b{c}d]e"} {
		f.Add(s, "a/b/c.log", true)
	}
	f.Fuzz(func(t *testing.T, pat, rel string, dir bool) {
		r, err := Compile(Spec{Rules: Exclude(pat), Gitignore: true})
		if err == nil {
			r.Excluded(rel, dir)
			r.ExcludedEntry(rel, dir)
		}
		g := MustCompile(Spec{Gitignore: true}).WithGitignore("d", []byte(pat))
		g.Excluded("d/"+rel, dir)
		g.Excluded(rel, dir)
	})
}
