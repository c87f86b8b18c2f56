package transfer

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

var policyNames = [...]string{
	PolicyDefault:     "default",
	PolicyAsk:         "ask",
	PolicyOverwrite:   "overwrite",
	PolicySkip:        "skip",
	PolicyResume:      "resume",
	PolicyRename:      "rename",
	PolicyNewer:       "newer",
	PolicySizeDiffers: "size-differs",
	PolicyMirror:      "mirror",
}

func parsePolicy(s string) (Policy, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	for p, name := range policyNames {
		if name == s && Policy(p) != PolicyDefault {
			return Policy(p), nil
		}
	}
	return PolicyDefault, fmt.Errorf("unknown conflict policy %q (want ask, overwrite, skip, resume, rename, newer, size-differs or mirror)", s)
}

func policyString(p Policy) string {
	if p >= 0 && int(p) < len(policyNames) {
		return policyNames[p]
	}
	return fmt.Sprintf("policy(%d)", int(p))
}

var stateNames = [...]string{
	StateQueued:   "queued",
	StateRunning:  "running",
	StateAsking:   "asking",
	StateRetrying: "retrying",
	StatePaused:   "paused",
	StateDone:     "done",
	StateSkipped:  "skipped",
	StateFailed:   "failed",
	StateCanceled: "canceled",
}

func stateString(s State) string {
	if s >= 0 && int(s) < len(stateNames) {
		return stateNames[s]
	}
	return fmt.Sprintf("state(%d)", int(s))
}

// DefaultStateDir is $XDG_STATE_HOME/ferry, or ~/.local/state/ferry when the
// variable is unset, following the XDG base directory rules. The environment
// is passed in so tests and callers decide where state lives.
func DefaultStateDir(getenv func(string) string) (string, error) {
	if d := getenv("XDG_STATE_HOME"); d != "" && filepath.IsAbs(d) {
		return filepath.Join(d, "ferry"), nil
	}
	home := getenv("HOME")
	if home == "" {
		h, err := os.UserHomeDir()
		if err != nil {
			return "", fmt.Errorf("state dir: %w", err)
		}
		home = h
	}
	return filepath.Join(home, ".local", "state", "ferry"), nil
}
