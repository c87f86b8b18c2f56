package ui

import (
	"strconv"
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"
)

// humanSize formats a byte count in at most 6 cells: "999", "1.5K", "12M".
func humanSize(n int64) string {
	if n < 1024 {
		return strconv.FormatInt(n, 10)
	}
	const units = "KMGTPE"
	f := float64(n)
	i := -1
	for f >= 1024 && i < len(units)-1 {
		f /= 1024
		i++
	}
	if f < 10 {
		return strconv.FormatFloat(f, 'f', 1, 64) + string(units[i])
	}
	return strconv.FormatFloat(f, 'f', 0, 64) + string(units[i])
}

// shortTime formats a modification time the way ls does: the hour for this
// year's files, the year for older ones, in 12 cells.
func shortTime(t, now time.Time) string {
	if t.IsZero() {
		return ""
	}
	t = t.Local()
	if t.Year() == now.Year() || now.Sub(t) < 180*24*time.Hour && t.Before(now.Add(time.Hour)) {
		return t.Format("Jan _2 15:04")
	}
	return t.Format("Jan _2  2006")
}

// fit pads or truncates s (which may hold ANSI sequences) to exactly w cells.
func fit(s string, w int) string {
	if w <= 0 {
		return ""
	}
	n := ansi.StringWidth(s)
	if n > w {
		s = ansi.Truncate(s, w, "…")
		n = ansi.StringWidth(s)
	}
	if n < w {
		s += strings.Repeat(" ", w-n)
	}
	return s
}

// fitLeft right-aligns s in w cells, truncating from the left when too long.
func fitLeft(s string, w int) string {
	if w <= 0 {
		return ""
	}
	n := ansi.StringWidth(s)
	if n > w {
		return ansi.TruncateLeft(s, n-w+1, "…")
	}
	return strings.Repeat(" ", w-n) + s
}

// sanitize replaces control characters in names coming from a server, so a
// hostile file name cannot move the cursor or change colours.
func sanitize(s string) string {
	clean := true
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] == 0x7f {
			clean = false
			break
		}
	}
	if clean && !strings.ContainsRune(s, '\u009b') {
		return s
	}
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || r >= 0x80 && r < 0xa0 {
			return '?'
		}
		return r
	}, s)
}

// rate formats bytes per second.
func rate(bps float64) string {
	if bps <= 0 {
		return "-"
	}
	return humanSize(int64(bps)) + "/s"
}

// eta formats a remaining duration compactly.
func eta(d time.Duration) string {
	if d <= 0 {
		return "-"
	}
	d = d.Round(time.Second)
	h := int(d / time.Hour)
	m := int(d/time.Minute) % 60
	s := int(d/time.Second) % 60
	if h > 0 {
		return strconv.Itoa(h) + "h" + pad2(m) + "m"
	}
	return strconv.Itoa(m) + ":" + pad2(s)
}

// elapsed formats how long a finished job took: "<1s", "4s", "1m05s",
// "1h02m".
func elapsed(d time.Duration) string {
	if d < time.Second {
		return "<1s"
	}
	d = d.Round(time.Second)
	h := int(d / time.Hour)
	m := int(d/time.Minute) % 60
	s := int(d/time.Second) % 60
	switch {
	case h > 0:
		return strconv.Itoa(h) + "h" + pad2(m) + "m"
	case m > 0:
		return strconv.Itoa(m) + "m" + pad2(s) + "s"
	}
	return strconv.Itoa(s) + "s"
}

func pad2(n int) string {
	if n < 10 {
		return "0" + strconv.Itoa(n)
	}
	return strconv.Itoa(n)
}

// visibleWidth is the cell width of s, ignoring ANSI sequences.
func visibleWidth(s string) int { return ansi.StringWidth(s) }

func itoa(n int) string { return strconv.Itoa(n) }

// oneLine flattens a message (a multi-line server reply, say) for the
// status line, then sanitizes it.
func oneLine(s string) string {
	if strings.ContainsAny(s, "\r\n\t") {
		s = strings.Join(strings.Fields(s), " ")
	}
	return sanitize(s)
}
