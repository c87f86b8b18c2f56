package treewalk

import (
	"fmt"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/ferryhq/ferry/protocol"
)

// Match is what find looks for; zero fields match everything.
type Match struct {
	Name   string    // glob on the base name, as path.Match (find -name)
	Fold   bool      // compare names case-insensitively (find -iname)
	Type   byte      // 'f' files, 'd' directories, 0 either
	Since  time.Time // modified after this (entries with no time do not match)
	Larger int64     // more than this many bytes (-1: no limit)
}

// Validate reports a malformed glob.
func (m Match) Validate() error {
	if _, err := path.Match(m.Name, ""); err != nil {
		return fmt.Errorf("bad pattern %q: %w", m.Name, err)
	}
	return nil
}

// Matches reports whether en meets every condition of m.
func (m Match) Matches(en protocol.Entry) bool {
	switch m.Type {
	case 'f':
		if en.IsDir() || en.IsLink() {
			return false
		}
	case 'd':
		if !en.IsDir() || en.IsLink() {
			return false
		}
	}
	if m.Name != "" {
		name, pat := en.Name, m.Name
		if m.Fold {
			name, pat = strings.ToLower(name), strings.ToLower(pat)
		}
		if ok, _ := path.Match(pat, name); !ok {
			return false
		}
	}
	if !m.Since.IsZero() && (en.ModTime.IsZero() || !en.ModTime.After(m.Since)) {
		return false
	}
	if m.Larger >= 0 && en.Size <= m.Larger {
		return false
	}
	return true
}

// ParseSize reads a byte count: digits with an optional fraction and unit,
// k, M, G or T (powers of 1024, as find and du take them; "KiB", "KB" and
// "K" are the same).
func ParseSize(s string) (int64, error) {
	t := strings.TrimSpace(s)
	mult := int64(1)
	lower := strings.ToLower(t)
	lower = strings.TrimSuffix(strings.TrimSuffix(lower, "ib"), "b")
	if lower != "" {
		switch lower[len(lower)-1] {
		case 'k':
			mult = 1 << 10
		case 'm':
			mult = 1 << 20
		case 'g':
			mult = 1 << 30
		case 't':
			mult = 1 << 40
		}
		if mult > 1 {
			lower = lower[:len(lower)-1]
		}
	}
	if lower == "" || strings.Trim(lower, "0123456789.") != "" {
		return 0, fmt.Errorf("bad size %q: want digits and an optional unit, like 512, 10k, 1.5M or 2G", s)
	}
	f, err := strconv.ParseFloat(lower, 64)
	if err != nil || f < 0 {
		return 0, fmt.Errorf("bad size %q: want digits and an optional unit, like 512, 10k, 1.5M or 2G", s)
	}
	v := f * float64(mult)
	if v >= 1<<63 {
		return 0, fmt.Errorf("bad size %q: too large", s)
	}
	return int64(v), nil
}

// ParseAge reads an age: a Go duration ("90m", "1h30m") whose units may
// also be d (24h) and w (7d), as in "7d" or "2w3d12h".
func ParseAge(s string) (time.Duration, error) {
	t := strings.TrimSpace(s)
	bad := fmt.Errorf("bad age %q: want a number and a unit, like 30m, 12h, 7d or 2w", s)
	if t == "" || t[0] == '-' || t[0] == '+' {
		return 0, bad
	}
	var total time.Duration
	for t != "" {
		i := 0
		for i < len(t) && (t[i] >= '0' && t[i] <= '9' || t[i] == '.') {
			i++
		}
		j := i
		for j < len(t) && (t[j] < '0' || t[j] > '9') && t[j] != '.' {
			j++
		}
		if i == 0 || j == i {
			return 0, bad
		}
		num, unit := t[:i], t[i:j]
		t = t[j:]
		var d time.Duration
		switch unit {
		case "d", "w":
			f, err := strconv.ParseFloat(num, 64)
			if err != nil {
				return 0, bad
			}
			day := 24 * time.Hour
			if unit == "w" {
				day *= 7
			}
			if f*float64(day) >= 1<<63 {
				return 0, bad
			}
			d = time.Duration(f * float64(day))
		default:
			var err error
			if d, err = time.ParseDuration(num + unit); err != nil {
				return 0, bad
			}
		}
		if total+d < total {
			return 0, bad
		}
		total += d
	}
	return total, nil
}
