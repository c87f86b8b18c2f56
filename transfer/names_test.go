package transfer

import (
	"path"
	"strings"
	"testing"
)

// FuzzCheckName holds the path-safety promise: a name checkName accepts,
// joined to any root, stays a direct child of that root.
func FuzzCheckName(f *testing.F) {
	for _, s := range []string{"a.txt", "..", "../x", "/etc/passwd", "a\nb", `a\b`, "C:evil", "nul\x00", "é", ".hidden", "...", "a/../.."} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		if checkName(name) != nil {
			return
		}
		for _, root := range []string{"/", "/srv/data", "rel/dir"} {
			p := path.Join(root, name)
			if !within(root, p) || path.Dir(p) != path.Clean(root) || path.Base(p) != name {
				t.Fatalf("accepted %q escapes or renames under %q: %q", name, root, p)
			}
		}
		if strings.ContainsAny(name, "\x00\n\r\x1b") {
			t.Fatalf("accepted %q with a control character", name)
		}
	})
}

func TestParsePolicyRoundTrips(t *testing.T) {
	for p := PolicyAsk; p <= PolicyMirror; p++ {
		got, err := ParsePolicy(p.String())
		if err != nil || got != p {
			t.Errorf("ParsePolicy(%q) = %v, %v", p.String(), got, err)
		}
	}
	if _, err := ParsePolicy("default"); err == nil {
		t.Error(`ParsePolicy("default") accepted`)
	}
}

func TestFreeNameKeepsExtension(t *testing.T) {
	for in, want := range map[string]string{"/d/report.pdf": "/d/report (1).pdf", "/d/.bashrc": "/d/.bashrc (1)", "/d/noext": "/d/noext (1)", "/d/a.tar.gz": "/d/a.tar (1).gz"} {
		got := freeNameFor(in, 1)
		if got != want {
			t.Errorf("free name for %s: %s, want %s", in, got, want)
		}
	}
}
