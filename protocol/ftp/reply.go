package ftp

import (
	"bufio"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Bounds on what a server may send on the control connection. A hostile or
// broken server must not make the client buffer without limit: one line may
// hold at most maxLineLen bytes, one reply at most maxReplyLines lines and
// maxReplyBytes bytes (FEAT and STAT replies are the longest real ones).
const (
	maxLineLen    = 8 << 10
	maxReplyLines = 4096
	maxReplyBytes = 256 << 10
)

// Reply is one RFC 959 reply: a three-digit code and its text lines. A
// multi-line reply ("211-Features:" ... "211 End") keeps every line; the
// code prefix of the first and last line is stripped.
type Reply struct {
	Code  int
	Lines []string
}

// Text is the reply as a user should read it: code and first line, which is
// what servers put their explanation in ("550 No such file or directory").
func (r Reply) Text() string {
	if len(r.Lines) == 0 {
		return strconv.Itoa(r.Code)
	}
	return strconv.Itoa(r.Code) + " " + r.Lines[0]
}

// Message is the text of the first line without the code.
func (r Reply) Message() string {
	if len(r.Lines) == 0 {
		return ""
	}
	return r.Lines[0]
}

// Class is the first digit: 1 preliminary, 2 done, 3 more needed,
// 4 transient failure, 5 permanent failure.
func (r Reply) Class() int { return r.Code / 100 }

// errGarbage marks a reply that is not RFC 959; it maps to ErrProtocol.
var errGarbage = errors.New("malformed reply")

// readLine reads one line of at most maxLineLen bytes, without its line end.
// A bare LF is accepted (some servers send it); CR inside a line is kept for
// the parser to judge.
func readLine(r *bufio.Reader) (string, error) {
	line, err := r.ReadSlice('\n')
	if errors.Is(err, bufio.ErrBufferFull) {
		return "", fmt.Errorf("%w: line longer than %d bytes", errGarbage, r.Size())
	}
	if err != nil {
		return "", err
	}
	if len(line) > maxLineLen+2 {
		return "", fmt.Errorf("%w: line longer than %d bytes", errGarbage, maxLineLen)
	}
	line = line[:len(line)-1]
	if n := len(line); n > 0 && line[n-1] == '\r' {
		line = line[:n-1]
	}
	return stripTelnet(string(line)), nil
}

// stripTelnet drops Telnet IAC sequences, which RFC 959 servers may send on
// the control connection (e.g. IAC IP IAC DM around an abort).
func stripTelnet(s string) string {
	if strings.IndexByte(s, 0xff) < 0 {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != 0xff {
			b.WriteByte(s[i])
			continue
		}
		if i+1 < len(s) && s[i+1] == 0xff { // escaped 0xff data byte
			b.WriteByte(0xff)
			i++
			continue
		}
		if i+1 < len(s) && s[i+1] >= 251 && s[i+1] <= 254 { // WILL/WONT/DO/DONT opt
			i += 2
			continue
		}
		i++ // a two-byte command
	}
	return b.String()
}

// parseCode reads the three-digit code at the start of a line and the
// separator after it (' ', '-' or none at the end of the line).
func parseCode(line string) (code int, sep byte, ok bool) {
	if len(line) < 3 {
		return 0, 0, false
	}
	for i := 0; i < 3; i++ {
		if line[i] < '0' || line[i] > '9' {
			return 0, 0, false
		}
	}
	code = int(line[0]-'0')*100 + int(line[1]-'0')*10 + int(line[2]-'0')
	if code < 100 || code > 599 {
		return 0, 0, false
	}
	if len(line) == 3 {
		return code, ' ', true
	}
	if line[3] != ' ' && line[3] != '-' {
		return 0, 0, false
	}
	return code, line[3], true
}

// readReply reads one complete reply, following multi-line replies to their
// closing "NNN " line. Anything that is not a reply is errGarbage.
func readReply(r *bufio.Reader) (Reply, error) {
	first, err := readLine(r)
	if err != nil {
		return Reply{}, err
	}
	code, sep, ok := parseCode(first)
	if !ok {
		return Reply{}, fmt.Errorf("%w: %q", errGarbage, clip(first))
	}
	rep := Reply{Code: code, Lines: []string{restOf(first)}}
	if sep == ' ' {
		return rep, nil
	}
	total := len(first)
	for {
		line, err := readLine(r)
		if err != nil {
			return Reply{}, err
		}
		total += len(line)
		if len(rep.Lines) >= maxReplyLines || total > maxReplyBytes {
			return Reply{}, fmt.Errorf("%w: reply longer than %d lines or %d bytes", errGarbage, maxReplyLines, maxReplyBytes)
		}
		if c, s, ok := parseCode(line); ok && c == code && s == ' ' {
			rep.Lines = append(rep.Lines, restOf(line))
			return rep, nil
		}
		rep.Lines = append(rep.Lines, line)
	}
}

func restOf(line string) string {
	if len(line) <= 4 {
		return ""
	}
	return line[4:]
}

// clip shortens server text quoted in an error message.
func clip(s string) string {
	if len(s) > 120 {
		return s[:120] + "…"
	}
	return s
}
