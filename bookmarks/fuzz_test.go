package bookmarks

import (
	"os"
	"path/filepath"
	"testing"
)

// Run one target at a time, briefly, with a short minimisation budget (the
// fixtures are kilobytes, and minimising one takes the default 60 s):
//
//	go test -run '^$' -fuzz '^FuzzImportFileZilla$' -fuzztime=20s -fuzzminimizetime=3s ./bookmarks/

// addFixtures seeds a fuzz target with the importer fixtures; more seeds
// live in testdata/fuzz/<FuzzName>/.
func addFixtures(f *testing.F, names ...string) {
	for _, n := range names {
		data, err := os.ReadFile(filepath.Join("testdata", "import", n))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
}

// checkImported is what every importer promises: no panic, and every site
// it returns is valid and could be saved.
func checkImported(t *testing.T, items []Imported) {
	for _, it := range items {
		if err := it.Site.Validate(); err != nil {
			t.Errorf("importer returned an invalid site: %v", err)
		}
	}
}

func FuzzImportNetrc(f *testing.F) {
	addFixtures(f, "netrc")
	f.Fuzz(func(t *testing.T, data []byte) {
		items, _, _ := ImportNetrc(data)
		checkImported(t, items)
		n, _ := ParseNetrc(data)
		n.Lookup("example.com", "")
	})
}

func FuzzImportFileZilla(f *testing.F) {
	addFixtures(f, "sitemanager.xml")
	f.Fuzz(func(t *testing.T, data []byte) {
		items, _, _ := ImportFileZilla(data)
		checkImported(t, items)
	})
}

func FuzzImportLftp(f *testing.F) {
	addFixtures(f, "lftp-bookmarks")
	f.Fuzz(func(t *testing.T, data []byte) {
		items, _, _ := ImportLftp(data)
		checkImported(t, items)
	})
}

func FuzzSSHConfig(f *testing.F) {
	for _, n := range []string{"home/.ssh/config", "home/.ssh/conf.d/work.conf"} {
		data, err := os.ReadFile(filepath.Join("testdata", n))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		// No home: relative Includes are not followed, so the fuzzer never
		// reads the machine's files.
		cfg, err := ParseSSHConfig(data, "")
		if err != nil {
			return
		}
		for _, n := range cfg.Names() {
			site, ok := cfg.Site(n)
			if !ok {
				t.Errorf("listed name %q has no site", n)
			}
			_ = site.URL()
		}
	})
}

// FuzzParseFile checks that reading bookmarks.toml never panics and that
// whatever it accepts survives a write and a second read unchanged.
func FuzzParseFile(f *testing.F) {
	good, _ := Export([]Site{fullSite()})
	f.Add(good)
	f.Add([]byte("[[site]]\nname = \"a\"\nprotocol = \"sftp\"\nhost = \"h\"\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		sites, err := ParseFile("fuzz", data)
		if err != nil {
			return
		}
		out, err := Export(sites)
		if err != nil {
			t.Fatalf("an accepted file does not encode: %v", err)
		}
		again, err := ParseFile("fuzz", out)
		if err != nil {
			t.Fatalf("re-reading a written file fails: %v\n%s", err, out)
		}
		if len(again) != len(sites) {
			t.Fatalf("%d sites became %d", len(sites), len(again))
		}
	})
}
