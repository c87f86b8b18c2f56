package cli

import (
	"context"
	"fmt"

	"github.com/ferryhq/ferry/bookmarks"
	"github.com/ferryhq/ferry/config"
	"github.com/ferryhq/ferry/demo"
	"github.com/ferryhq/ferry/ui"
)

// runDemo starts the demo servers over a sandbox and opens the TUI on them:
// the sandbox's local side on the left, the demo SFTP site on the right.
// Config, bookmarks, queue and known hosts all live in the sandbox, so the
// user's own files are untouched; everything is removed on exit.
func runDemo(ctx context.Context, e *env, cf connFlags) int {
	sb, err := demo.Start(ctx)
	if err != nil {
		return e.errorf(exitFailed, "demo: %v", err)
	}
	defer sb.Close()
	sandboxEnv := map[string]string{
		"XDG_CONFIG_HOME": sb.ConfigDir,
		"XDG_STATE_HOME":  sb.StateDir,
		"XDG_DATA_HOME":   sb.StateDir,
		"FERRY_PASSWORD":  demo.Password,
	}
	de := &env{Stdio: e.Stdio, version: e.version, getenv: func(k string) string {
		if v, ok := sandboxEnv[k]; ok {
			return v
		}
		return e.getenv(k)
	}}
	cf.knownHosts = sb.KnownHosts
	cf.caFile = sb.CAFile
	cf.sshConfig = "none"
	cf.trust = "strict" // the demo's keys are known; nothing else is trusted
	conn, err := newConnector(de, cf)
	if err != nil {
		return e.errorf(exitUsage, "%v", err)
	}
	if err := saveDemoBookmarks(ctx, conn, sb); err != nil {
		return e.errorf(exitFailed, "demo: %v", err)
	}
	s := newTUISession(conn, config.Default())
	right, err := s.endpointFor(sb.SFTPURL())
	if err != nil {
		return e.errorf(exitFailed, "demo: %v", err)
	}
	right.Path = "/"
	banner := fmt.Sprintf("ferry demo · sandbox %s · SFTP %s · FTPS %s · user/password demo/demo · F10 or q quits",
		sb.Dir, sb.SFTPAddr, sb.FTPAddr)
	return s.run(ctx, de, ui.Options{Left: s.localEndpoint(sb.LocalDir), Right: right, Banner: banner})
}

// saveDemoBookmarks lists both demo sites in the sandbox's own bookmark
// file, so the site manager has something to show.
func saveDemoBookmarks(ctx context.Context, conn *connector, sb *demo.Sandbox) error {
	r, err := conn.addressResolver()
	if err != nil {
		return err
	}
	for name, url := range map[string]string{"demo-sftp": sb.SFTPURL(), "demo-ftps": sb.FTPURL()} {
		site, _, err := bookmarks.FromURL(name, url)
		if err != nil {
			return err
		}
		site.Folder = "Demo"
		site.Notes = "built-in demo server, password demo"
		if err := r.store.Put(ctx, site); err != nil {
			return err
		}
	}
	return nil
}
