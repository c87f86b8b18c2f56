//go:build !unix

package ftpd

import "io/fs"

// uniqueFact is empty where the platform has no inode numbers.
func uniqueFact(fs.FileInfo) string { return "" }
