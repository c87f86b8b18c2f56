package filter

import (
	"bytes"
	"strings"

	"github.com/bmatcuk/doublestar/v4"
)

// pattern is one compiled gitignore-syntax pattern.
type pattern struct {
	text     string // as given, for String
	include  bool
	dirOnly  bool   // trailing slash: matches directories only
	anchored bool   // matched against the whole relative path, else the last name
	glob     string // doublestar pattern
	literal  bool   // glob has no wildcard or escape: compare strings
}

func (p pattern) String() string {
	if p.include {
		return "!" + p.text
	}
	return p.text
}

// compilePattern turns a gitignore-syntax pattern (without "!") into a
// pattern.
func compilePattern(text string, include bool) (pattern, error) {
	p := pattern{text: text, include: include}
	s := text
	if strings.HasSuffix(s, "/") {
		p.dirOnly = true
		s = strings.TrimRight(s, "/")
	}
	if strings.HasPrefix(s, "/") {
		p.anchored = true
		s = strings.TrimLeft(s, "/")
	} else if strings.Contains(s, "/") {
		p.anchored = true
	}
	if s == "" {
		return p, errPattern(text, "matches nothing")
	}
	// git: "x/**" matches everything inside x, not x itself; doublestar's
	// "x/**" matches x too.
	if s == "**" && p.anchored {
		s = "**/*"
	} else if strings.HasSuffix(s, "/**") {
		s += "/*"
	}
	s = escapeBraces(s)
	if !doublestar.ValidatePattern(s) {
		return p, errPattern(text, "bad pattern (an unclosed [ or a trailing \\?)")
	}
	p.glob = s
	p.literal = !strings.ContainsAny(s, `*?[\`)
	return p, nil
}

// escapeBraces makes "{", "}" and "," literal outside character classes:
// doublestar reads {a,b} as alternatives, git does not.
func escapeBraces(s string) string {
	if !strings.ContainsAny(s, "{}") {
		return s
	}
	var b strings.Builder
	inClass := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\\' && i+1 < len(s):
			b.WriteByte(c)
			i++
			b.WriteByte(s[i])
			continue
		case inClass:
			if c == ']' {
				inClass = false
			}
		case c == '[':
			inClass = true
			// "[]" and "[!]" take a literal ] first.
			b.WriteByte(c)
			if i+1 < len(s) && (s[i+1] == '!' || s[i+1] == '^') {
				i++
				b.WriteByte(s[i])
			}
			if i+1 < len(s) && s[i+1] == ']' {
				i++
				b.WriteByte(s[i])
			}
			continue
		case c == '{' || c == '}':
			b.WriteByte('\\')
		}
		b.WriteByte(c)
	}
	return b.String()
}

// match reports whether the pattern matches rel (relative to the pattern's
// base directory).
func (p *pattern) match(rel string, dir bool) bool {
	if p.dirOnly && !dir {
		return false
	}
	s := rel
	if !p.anchored {
		s = rel[strings.LastIndexByte(rel, '/')+1:]
	}
	if p.literal {
		return s == p.glob
	}
	ok, _ := doublestar.Match(p.glob, s)
	return ok
}

// ParseLines reads rules in gitignore syntax, as in a .gitignore or an
// --exclude-from file: one pattern a line; blank lines and lines starting
// with "#" are skipped; "!" re-includes; "\#" and "\!" start a pattern with
// a literal "#" or "!"; trailing spaces are dropped unless escaped with a
// backslash. Patterns are checked by Compile, not here.
func ParseLines(content []byte) []Rule {
	content = bytes.TrimPrefix(content, []byte("\xef\xbb\xbf"))
	var out []Rule
	for len(content) > 0 {
		var line []byte
		if i := bytes.IndexByte(content, '\n'); i >= 0 {
			line, content = content[:i], content[i+1:]
		} else {
			line, content = content, nil
		}
		line = bytes.TrimSuffix(line, []byte("\r"))
		line = trimTrailingSpaces(line)
		if len(line) == 0 || line[0] == '#' {
			continue
		}
		r := Rule{}
		if line[0] == '!' {
			r.Include = true
			line = line[1:]
		}
		if len(line) > 1 && line[0] == '\\' && (line[1] == '#' || line[1] == '!') {
			line = line[1:]
		}
		if len(line) == 0 {
			continue
		}
		r.Pattern = string(line)
		out = append(out, r)
	}
	return out
}

// trimTrailingSpaces drops trailing spaces, keeping one escaped by a
// backslash ("a\ " ends in a space).
func trimTrailingSpaces(line []byte) []byte {
	for len(line) > 0 && line[len(line)-1] == ' ' {
		if len(line) >= 2 && line[len(line)-2] == '\\' {
			break
		}
		line = line[:len(line)-1]
	}
	return line
}
