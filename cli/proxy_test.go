package cli

import (
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ferryhq/ferry/bookmarks"
	"github.com/ferryhq/ferry/protocol"
	"github.com/ferryhq/ferry/protocol/proxy/proxytest"
)

// deadProxy is a proxy URL nothing answers at: a test that reaches its
// server proves it did not go this way.
const deadProxy = "socks5://127.0.0.1:1"

func TestProxySelection(t *testing.T) {
	root := t.TempDir()
	mustWrite(t, filepath.Join(root, "hello.txt"), []byte("hi"))
	addr, kh := startSFTP(t, root)
	ftpAddr := startFTP(t, root)
	_, port, _ := net.SplitHostPort(addr)
	sftpURL := "sftp://u@127.0.0.1:" + port + "/"
	ftpURL := "ftp://u@" + ftpAddr + "/"
	ssh := []string{"--known-hosts", kh, "--ssh-config", "none", "--timeout", "5s"}

	ls := func(t *testing.T, env map[string]string, extra ...string) (int, string, string) {
		t.Helper()
		args := append([]string{"ls"}, ssh...)
		return run(t, env, append(args, extra...)...)
	}
	with := func(kv ...string) map[string]string {
		env := stateEnv(t)
		for i := 0; i < len(kv); i += 2 {
			env[kv[i]] = kv[i+1]
		}
		return env
	}

	t.Run("ALL_PROXY carries SFTP", func(t *testing.T) {
		px := proxytest.NewSOCKS5(t)
		code, out, errs := ls(t, with("ALL_PROXY", px.URL), sftpURL)
		if code != 0 || !strings.Contains(out, "hello.txt") {
			t.Fatalf("exit %d: %s%s", code, out, errs)
		}
		if got := px.Log(); len(got) == 0 || got[0] != "CONNECT 127.0.0.1:"+port {
			t.Errorf("proxy log %q, want CONNECT 127.0.0.1:%s", got, port)
		}
	})
	t.Run("all_proxy carries FTP and its data connections", func(t *testing.T) {
		px := proxytest.NewHTTP(t)
		code, out, errs := ls(t, with("all_proxy", px.URL), ftpURL)
		if code != 0 || !strings.Contains(out, "hello.txt") {
			t.Fatalf("exit %d: %s%s", code, out, errs)
		}
		if got := px.Log(); len(got) < 2 || got[0] != "CONNECT "+ftpAddr {
			t.Errorf("proxy log %q, want the control and a data connection", got)
		}
	})
	t.Run("--proxy wins over ALL_PROXY", func(t *testing.T) {
		px := proxytest.NewHTTP(t)
		code, _, errs := ls(t, with("ALL_PROXY", deadProxy), "--proxy", px.URL, sftpURL)
		if code != 0 || px.Count() != 1 {
			t.Fatalf("exit %d, proxy relayed %d: %s", code, px.Count(), errs)
		}
	})
	t.Run("--proxy none ignores ALL_PROXY", func(t *testing.T) {
		if code, _, errs := ls(t, with("ALL_PROXY", deadProxy), "--proxy", "none", sftpURL); code != 0 {
			t.Fatalf("exit %d: %s", code, errs)
		}
	})
	t.Run("NO_PROXY exempts a host", func(t *testing.T) {
		if code, _, errs := ls(t, with("ALL_PROXY", deadProxy, "NO_PROXY", "example.com,127.0.0.0/8"), ftpURL); code != 0 {
			t.Fatalf("exit %d: %s", code, errs)
		}
	})
	t.Run("a dead proxy is a clear error", func(t *testing.T) {
		code, _, errs := ls(t, with("ALL_PROXY", deadProxy), sftpURL)
		if code == 0 || !strings.Contains(errs, "through proxy socks5://127.0.0.1:1") {
			t.Errorf("exit %d: %q, want the proxy named", code, errs)
		}
	})
	t.Run("active FTP through a proxy names the flag", func(t *testing.T) {
		px := proxytest.NewSOCKS5(t)
		code, _, errs := ls(t, with("ALL_PROXY", px.URL), "--ftp-mode", "active", ftpURL)
		if code == 0 || !strings.Contains(errs, "--ftp-mode passive") {
			t.Errorf("exit %d: %q, want --ftp-mode passive named", code, errs)
		}
	})
	t.Run("a bad --proxy is a usage error", func(t *testing.T) {
		code, _, errs := ls(t, with(), "--proxy", "ftp://x", sftpURL)
		if code != exitUsage || !strings.Contains(errs, "--proxy") {
			t.Errorf("exit %d: %q", code, errs)
		}
	})
	t.Run("a bad ALL_PROXY is named", func(t *testing.T) {
		code, _, errs := ls(t, with("ALL_PROXY", "gopher://x"), sftpURL)
		if code == 0 || !strings.Contains(errs, "ALL_PROXY") {
			t.Errorf("exit %d: %q", code, errs)
		}
	})
}

func TestBookmarkProxy(t *testing.T) {
	root := t.TempDir()
	mustWrite(t, filepath.Join(root, "hello.txt"), []byte("hi"))
	addr, kh := startSFTP(t, root)
	cfgDir := filepath.Join(t.TempDir(), "config")
	os.MkdirAll(filepath.Join(cfgDir, "ferry"), 0o700)
	os.WriteFile(filepath.Join(cfgDir, "ferry", "config.toml"), []byte("secrets = \"ask\"\n"), 0o600)
	env := stateEnv(t)
	env["XDG_CONFIG_HOME"], env["HOME"] = cfgDir, t.TempDir()
	px := proxytest.NewSOCKS5(t)

	if code, _, errs := run(t, env, "bookmark", "add", "--proxy", px.URL, "viaproxy", "sftp://u@"+addr+"/"); code != 0 {
		t.Fatalf("bookmark add: exit %d: %s", code, errs)
	}
	data, _ := os.ReadFile(filepath.Join(cfgDir, "ferry", "bookmarks.toml"))
	if !strings.Contains(string(data), `proxy = "`+px.URL+`"`) {
		t.Errorf("bookmarks.toml lacks the proxy:\n%s", data)
	}
	env["ALL_PROXY"] = deadProxy // the bookmark's proxy wins
	code, out, errs := run(t, env, "ls", "--known-hosts", kh, "--ssh-config", "none", "viaproxy:")
	if code != 0 || !strings.Contains(out, "hello.txt") {
		t.Fatalf("ls: exit %d: %s%s", code, out, errs)
	}
	if px.Count() != 1 {
		t.Errorf("the bookmark's proxy relayed %d connections, want 1", px.Count())
	}

	code, _, errs = run(t, env, "bookmark", "add", "--proxy", "socks5://ann:hunter2@127.0.0.1:1080", "pw", "sftp://u@"+addr+"/")
	if code == 0 || !strings.Contains(errs, "plain text") || strings.Contains(errs, "hunter2") {
		t.Errorf("a proxy password in a bookmark: exit %d: %q", code, errs)
	}
	assertNoSecretInDir(t, cfgDir, "hunter2")
}

func TestProxyFor_order(t *testing.T) {
	vars := map[string]string{"ALL_PROXY": "socks5://env:1080", "NO_PROXY": "skip.example"}
	e := &env{getenv: func(k string) string { return vars[k] }}
	site := protocol.Site{Scheme: protocol.SchemeSFTP, Host: "h.example"}
	bm := &bookmarks.Site{Name: "b", Proxy: "http://bookmark:3128"}
	tests := []struct {
		name, flag, form string
		bm               *bookmarks.Site
		want, noProxy    string
	}{
		{"ALL_PROXY by default", "", "", nil, "socks5://env:1080", "skip.example"},
		{"the bookmark's over ALL_PROXY", "", "", bm, "http://bookmark:3128", ""},
		{"the connect form's over the bookmark's", "", "socks5h://form:1", bm, "socks5h://form:1", ""},
		{"--proxy over all, with NO_PROXY", "http://flag:8080", "socks5h://form:1", bm, "http://flag:8080", "skip.example"},
		{"--proxy none", "none", "socks5h://form:1", bm, "", ""},
		{"the form's none", "", "none", bm, "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := newConnector(e, connFlags{proxy: tc.flag})
			if err != nil {
				t.Fatal(err)
			}
			c.setOverride(site, siteOverride{proxy: tc.form})
			d, err := c.proxyFor(site, tc.bm)
			if err != nil {
				t.Fatal(err)
			}
			got := ""
			if d.Proxy != nil {
				got = d.Proxy.String()
			}
			if got != tc.want || d.NoProxy != tc.noProxy {
				t.Errorf("got %q NO_PROXY %q, want %q NO_PROXY %q", got, d.NoProxy, tc.want, tc.noProxy)
			}
		})
	}
}
