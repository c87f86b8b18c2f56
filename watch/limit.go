package watch

import (
	"errors"
	"fmt"
	"syscall"
)

// ErrWatchLimit is returned when the system refuses another watch: on
// Linux, fs.inotify.max_user_watches (or max_user_instances) is reached.
var ErrWatchLimit = errors.New("the system's limit on file watches is reached")

// mapAddError turns the kernel's refusal to add a watch into an error that
// names the limit and the sysctl that raises it; ENOSPC from
// inotify_add_watch means max_user_watches, EMFILE from inotify_init means
// max_user_instances.
func mapAddError(dir string, err error) error {
	switch {
	case errors.Is(err, syscall.ENOSPC):
		return fmt.Errorf("watch %s: %w (fs.inotify.max_user_watches); raise it with "+
			"sudo sysctl fs.inotify.max_user_watches=524288 (add it to /etc/sysctl.conf to keep it)", dir, ErrWatchLimit)
	case errors.Is(err, syscall.EMFILE):
		return fmt.Errorf("watch %s: %w (fs.inotify.max_user_instances); raise it with "+
			"sudo sysctl fs.inotify.max_user_instances=1024", dir, ErrWatchLimit)
	}
	return fmt.Errorf("watch %s: %w", dir, err)
}
