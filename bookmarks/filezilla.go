package bookmarks

import (
	"bytes"
	"encoding/base64"
	"encoding/xml"
	"fmt"
	"path"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/ferryhq/ferry/protocol"
)

// fzFolder is a <Servers> or <Folder> element: its own text is the folder
// name (FileZilla writes mixed content), its children servers and folders.
type fzFolder struct {
	Name    string     `xml:",chardata"`
	Servers []fzServer `xml:"Server"`
	Folders []fzFolder `xml:"Folder"`
}

type fzServer struct {
	Name      string `xml:"Name"`
	Host      string `xml:"Host"`
	Port      string `xml:"Port"`
	Protocol  string `xml:"Protocol"`
	Logontype string `xml:"Logontype"`
	User      string `xml:"User"`
	Pass      struct {
		Encoding string `xml:"encoding,attr"`
		Value    string `xml:",chardata"`
	} `xml:"Pass"`
	Keyfile        string `xml:"Keyfile"`
	PasvMode       string `xml:"PasvMode"`
	EncodingType   string `xml:"EncodingType"`
	CustomEncoding string `xml:"CustomEncoding"`
	Comments       string `xml:"Comments"`
	LocalDir       string `xml:"LocalDir"`
	RemoteDir      string `xml:"RemoteDir"`
}

type fzDocument struct {
	XMLName xml.Name `xml:"FileZilla3"`
	Servers fzFolder `xml:"Servers"`
}

// ImportFileZilla reads FileZilla's sitemanager.xml (or an exported site
// list): folders, protocols (0 FTP, 1 SFTP, 3 FTPS implicit, 4 FTPES, 6
// plain FTP), ports, users, start directories, key files, passive mode,
// encodings and comments. Base64 passwords come back in Imported.Password
// for Secrets; passwords protected by FileZilla's master password cannot be
// read and are reported in the warnings, as are sites of other protocols.
func ImportFileZilla(data []byte) ([]Imported, []string, error) {
	var doc fzDocument
	dec := xml.NewDecoder(bytes.NewReader(data))
	dec.Strict = true
	if err := dec.Decode(&doc); err != nil {
		return nil, nil, fmt.Errorf("filezilla: %w", err)
	}
	var out []Imported
	var warnings []string
	var walk func(f fzFolder, folder string, depth int)
	walk = func(f fzFolder, folder string, depth int) {
		if depth > 32 {
			warnings = append(warnings, fmt.Sprintf("folder %q: nested too deep, skipped", folder))
			return
		}
		for _, s := range f.Servers {
			it, warn := fzSite(s, folder)
			if warn != "" {
				warnings = append(warnings, warn)
			}
			if it != nil {
				out = append(out, *it)
			}
		}
		for _, sub := range f.Folders {
			name := strings.ReplaceAll(strings.TrimSpace(sub.Name), "/", "-")
			walk(sub, path.Join(folder, name), depth+1)
		}
	}
	walk(doc.Servers, "", 0)
	return out, warnings, nil
}

func fzSite(s fzServer, folder string) (*Imported, string) {
	label := strings.TrimSpace(s.Name)
	if label == "" {
		label = strings.TrimSpace(s.Host)
	}
	var scheme protocol.Scheme
	switch strings.TrimSpace(s.Protocol) {
	case "0", "6", "":
		scheme = protocol.SchemeFTP
	case "1":
		scheme = protocol.SchemeSFTP
	case "3":
		scheme = protocol.SchemeFTPS
	case "4":
		scheme = protocol.SchemeFTPES
	default:
		return nil, fmt.Sprintf("site %q skipped: FileZilla protocol %s is not FTP, FTPS or SFTP", label, s.Protocol)
	}
	site := Site{
		Name:     SanitizeName(label),
		Folder:   folder,
		Protocol: scheme,
		Host:     strings.TrimSpace(s.Host),
		User:     s.User,
		KeyFile:  strings.TrimSpace(s.Keyfile),
		LocalDir: strings.TrimSpace(s.LocalDir),
		Notes:    s.Comments,
	}
	if p, err := strconv.Atoi(strings.TrimSpace(s.Port)); err == nil && p != scheme.DefaultPort() && p > 0 && p < 65536 {
		site.Port = p
	}
	if strings.TrimSpace(s.Logontype) == "0" {
		site.User = "anonymous"
	}
	switch strings.TrimSpace(s.PasvMode) {
	case "MODE_ACTIVE":
		site.FTP.Mode = FTPActive
	case "MODE_PASSIVE":
		site.FTP.Mode = FTPPassive
	}
	if strings.TrimSpace(s.EncodingType) == "Custom" {
		site.FTP.Encoding = strings.TrimSpace(s.CustomEncoding)
	}
	if scheme == protocol.SchemeSFTP {
		site.FTP = FTPOptions{}
	}
	var warn string
	if s.RemoteDir != "" {
		dir, err := parseFZPath(s.RemoteDir)
		if err != nil {
			warn = fmt.Sprintf("site %q: remote directory ignored: %v", label, err)
		} else {
			site.RemoteDir = dir
		}
	}
	var password string
	switch strings.TrimSpace(s.Pass.Encoding) {
	case "base64":
		b, err := base64.StdEncoding.DecodeString(strings.TrimSpace(s.Pass.Value))
		if err != nil || !utf8.Valid(b) {
			warn = fmt.Sprintf("site %q: password is not valid base64, not imported", label)
		} else {
			password = string(b)
		}
	case "crypt":
		warn = fmt.Sprintf("site %q: password is protected by FileZilla's master password, not imported", label)
	case "":
		password = s.Pass.Value // FileZilla before 3.26 stored it as is
	default:
		warn = fmt.Sprintf("site %q: password encoding %q unknown, not imported", label, s.Pass.Encoding)
	}
	if err := site.Validate(); err != nil {
		return nil, fmt.Sprintf("site %q skipped: %v", label, err)
	}
	return &Imported{Site: site, Password: password}, warn
}

// parseFZPath reads FileZilla's serialized server path, "1 0 4 home 3 bob":
// the server type, a length-prefixed prefix, then length-prefixed
// segments (lengths count characters). It returns "/home/bob".
func parseFZPath(s string) (string, error) {
	r := []rune(s)
	i := 0
	num := func() (int, error) {
		start := i
		for i < len(r) && r[i] >= '0' && r[i] <= '9' {
			i++
		}
		if start == i || i-start > 6 {
			return 0, fmt.Errorf("bad path %q", s)
		}
		n, _ := strconv.Atoi(string(r[start:i]))
		if i < len(r) && r[i] == ' ' {
			i++
		}
		return n, nil
	}
	text := func(n int) (string, error) {
		if n > len(r)-i {
			return "", fmt.Errorf("bad path %q", s)
		}
		t := string(r[i : i+n])
		i += n
		if i < len(r) && r[i] == ' ' {
			i++
		}
		return t, nil
	}
	if _, err := num(); err != nil { // server type: 0 default, 1 unix, ...
		return "", err
	}
	n, err := num()
	if err != nil {
		return "", err
	}
	prefix, err := text(n)
	if err != nil {
		return "", err
	}
	var segs []string
	for i < len(r) {
		n, err := num()
		if err != nil {
			return "", err
		}
		seg, err := text(n)
		if err != nil {
			return "", err
		}
		if strings.ContainsAny(seg, "/\x00\r\n") {
			return "", fmt.Errorf("bad path segment %q", seg)
		}
		segs = append(segs, seg)
	}
	if strings.ContainsAny(prefix, "\x00\r\n") {
		return "", fmt.Errorf("bad path prefix %q", prefix)
	}
	return prefix + "/" + strings.Join(segs, "/"), nil
}
