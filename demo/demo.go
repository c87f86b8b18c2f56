// Package demo runs ferry's try-it-now sandbox: an SFTP server and an FTP
// server with explicit TLS, both in-process on 127.0.0.1 random ports, over
// a temporary directory holding a small sample tree. Nothing outside the
// sandbox is read or written, and Close removes it all.
package demo

import (
	"context"
	"crypto/tls"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"

	"github.com/ferryhq/ferry/demo/ftpd"
	"github.com/ferryhq/ferry/demo/sftpd"
	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"
)

// User and Password log in to both demo servers.
const (
	User     = "demo"
	Password = "demo"
)

// BigFileSize is the size of the sparse sample file, big enough to watch a
// transfer's progress.
const BigFileSize = 200 << 20

// Sandbox is a running demo: the directories and the two servers.
type Sandbox struct {
	Dir        string // the temporary root; removed by Close
	LocalDir   string // the left pane's starting directory
	ServerDir  string // what both servers serve as "/"
	SFTPAddr   string // 127.0.0.1:port
	FTPAddr    string // 127.0.0.1:port, explicit TLS
	KnownHosts string // a known_hosts file listing the SFTP server's key
	CAFile     string // PEM of the FTP server's self-signed certificate
	ConfigDir  string // an empty config home, so the user's bookmarks are untouched
	StateDir   string // likewise for queue and logs

	sftp *sftpd.Server
	ftp  *ftpd.Server
}

// Start builds the sandbox and starts both servers.
func Start(ctx context.Context) (_ *Sandbox, err error) {
	dir, err := os.MkdirTemp("", "ferry-demo-")
	if err != nil {
		return nil, fmt.Errorf("demo sandbox: %w", err)
	}
	s := &Sandbox{
		Dir:       dir,
		LocalDir:  filepath.Join(dir, "local"),
		ServerDir: filepath.Join(dir, "server"),
		ConfigDir: filepath.Join(dir, "config"),
		StateDir:  filepath.Join(dir, "state"),
	}
	defer func() {
		if err != nil {
			s.Close()
		}
	}()
	for _, d := range []string{s.LocalDir, s.ServerDir, s.ConfigDir, s.StateDir} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			return nil, fmt.Errorf("demo sandbox: %w", err)
		}
	}
	if err := writeSampleTree(s.LocalDir, s.ServerDir); err != nil {
		return nil, fmt.Errorf("demo sample files: %w", err)
	}
	// Owners show by name, as on an OpenSSH server of 9.1 or later.
	s.sftp, err = sftpd.Start(ctx, sftpd.Options{Root: s.ServerDir, Users: []sftpd.User{{Name: User, Password: Password}},
		UsersGroupsByID: sftpd.HostNames})
	if err != nil {
		return nil, fmt.Errorf("demo SFTP server: %w", err)
	}
	s.SFTPAddr = s.sftp.Addr()
	s.KnownHosts = filepath.Join(dir, "known_hosts")
	line := knownhosts.Line([]string{knownhosts.Normalize(s.SFTPAddr)}, s.sftp.HostKey())
	if err := os.WriteFile(s.KnownHosts, []byte(line+"\n"), 0o600); err != nil {
		return nil, fmt.Errorf("demo known_hosts: %w", err)
	}
	tlsConfig, _, err := ftpd.SelfSignedTLS()
	if err != nil {
		return nil, fmt.Errorf("demo certificate: %w", err)
	}
	s.CAFile = filepath.Join(dir, "demo-ca.pem")
	if err := writeCertPEM(s.CAFile, tlsConfig); err != nil {
		return nil, err
	}
	s.ftp, err = ftpd.Start(ctx, ftpd.Options{Root: s.ServerDir, Users: map[string]string{User: Password}, TLS: tlsConfig, RequireTLSReuse: true})
	if err != nil {
		return nil, fmt.Errorf("demo FTP server: %w", err)
	}
	s.FTPAddr = s.ftp.Addr()
	return s, nil
}

// SFTPURL and FTPURL are the addresses of the demo sites.
func (s *Sandbox) SFTPURL() string { return "sftp://" + User + "@" + s.SFTPAddr + "/" }
func (s *Sandbox) FTPURL() string  { return "ftpes://" + User + "@" + s.FTPAddr + "/" }

// HostKey is the SFTP server's public key.
func (s *Sandbox) HostKey() ssh.PublicKey { return s.sftp.HostKey() }

// Close stops the servers and removes the sandbox.
func (s *Sandbox) Close() error {
	var errs []error
	if s.sftp != nil {
		errs = append(errs, s.sftp.Close())
	}
	if s.ftp != nil {
		errs = append(errs, s.ftp.Close())
	}
	errs = append(errs, os.RemoveAll(s.Dir))
	return errors.Join(errs...)
}

func writeCertPEM(path string, cfg *tls.Config) error {
	if len(cfg.Certificates) == 0 || len(cfg.Certificates[0].Certificate) == 0 {
		return errors.New("demo certificate: none made")
	}
	block := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cfg.Certificates[0].Certificate[0]})
	if err := os.WriteFile(path, block, 0o600); err != nil {
		return fmt.Errorf("demo certificate: %w", err)
	}
	return nil
}

// writeSampleTree fills the local and server sides with a few directories,
// text and binary files, names with spaces and UTF-8, and one big sparse file.
func writeSampleTree(local, server string) error {
	files := map[string]string{
		"README.txt":                     "Welcome to the ferry demo.\nCopy files between the panes with F5; quit with F10 or q.\n",
		"docs/guide.md":                  "# Guide\n\nA sample document.\n",
		"docs/notes with spaces.txt":     "names with spaces work\n",
		"docs/Übersicht-概要.txt":          "UTF-8 names work too\n",
		"photos/2026/harbour.raw":        "",
		"src/main.go":                    "package main\n\nfunc main() { println(\"hello from the demo\") }\n",
		"logs/app.log":                   "2026-11-25 10:00:00 started\n2026-11-25 10:00:01 ready\n",
		".hidden/config":                 "dotfiles are hidden until you press .\n",
		"photos/2026/ferry at dusk.jpg":  "",
		"releases/v1.0/checksums.sha256": "",
	}
	for name, text := range files {
		p := filepath.Join(server, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if text == "" {
			if err := writeRandom(p, 64<<10+int64(len(name))*1000); err != nil {
				return err
			}
			continue
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			return err
		}
	}
	big, err := os.Create(filepath.Join(server, "releases", "v1.0", "ferry-big.iso"))
	if err != nil {
		return err
	}
	if err := big.Truncate(BigFileSize); err != nil {
		big.Close()
		return err
	}
	if err := big.Close(); err != nil {
		return err
	}
	for name, text := range map[string]string{
		"todo.txt":             "- try F5 on this file\n- press ? for every key\n",
		"upload me/report.csv": "id,name\n1,ferry\n2,demo\n",
		"upload me/photo.bin":  "",
	} {
		p := filepath.Join(local, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if text == "" {
			if err := writeRandom(p, 256<<10); err != nil {
				return err
			}
			continue
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			return err
		}
	}
	return nil
}

func writeRandom(p string, size int64) error {
	f, err := os.Create(p)
	if err != nil {
		return err
	}
	_, err = io.Copy(f, io.LimitReader(rand.NewChaCha8([32]byte{byte(size)}), size))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}
