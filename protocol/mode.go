package protocol

import "io/fs"

// ModeString renders type and permission bits as ls -l does
// ("drwxr-xr-x", "lrwxrwxrwx", "crw-rw----", "-rwsr-xr-x"), which users read
// more easily than fs.FileMode.String's "Lrwxrwxrwx" and "Dcrw-rw----".
func ModeString(m fs.FileMode) string {
	var b [10]byte
	switch {
	case m.IsDir():
		b[0] = 'd'
	case m&fs.ModeSymlink != 0:
		b[0] = 'l'
	case m&fs.ModeNamedPipe != 0:
		b[0] = 'p'
	case m&fs.ModeSocket != 0:
		b[0] = 's'
	case m&fs.ModeCharDevice != 0: // before ModeDevice, which it includes
		b[0] = 'c'
	case m&fs.ModeDevice != 0:
		b[0] = 'b'
	default:
		b[0] = '-'
	}
	const rwx = "rwxrwxrwx"
	for i := range 9 {
		if m&(1<<uint(8-i)) != 0 {
			b[i+1] = rwx[i]
		} else {
			b[i+1] = '-'
		}
	}
	special := func(c, set byte) byte {
		if c == '-' {
			return set - 'a' + 'A' // set but not executable: S or T
		}
		return set
	}
	if m&fs.ModeSetuid != 0 {
		b[3] = special(b[3], 's')
	}
	if m&fs.ModeSetgid != 0 {
		b[6] = special(b[6], 's')
	}
	if m&fs.ModeSticky != 0 {
		b[9] = special(b[9], 't')
	}
	return string(b[:])
}
