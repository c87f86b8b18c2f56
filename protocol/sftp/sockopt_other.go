//go:build !linux

package sftp

// rcvLowatSetter returns nil: the low-water mark is used on Linux only,
// where its effect on the poller is known and tested.
func rcvLowatSetter(any) func(int) { return nil }

// quickAcker returns nil: TCP_QUICKACK is Linux's.
func quickAcker(any) func() { return nil }
