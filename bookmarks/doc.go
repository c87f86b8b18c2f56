// Package bookmarks keeps the sites a user saves, finds them again by name,
// and brings along what the user already has: hosts from ~/.ssh/config,
// logins from ~/.netrc, FileZilla's site manager and lftp's bookmarks.
//
// # The store
//
// A [Store] reads and writes bookmarks.toml under ferry's config directory
// (see [DefaultPaths]). Every change is a read-modify-write done inside an
// exclusive file lock: the file is read again under the lock, the change is
// applied to what is on disk right now, and the result replaces the file
// atomically (temp file, fsync, rename) with mode 0600. A TUI and a CLI
// running at once therefore never lose each other's change.
//
// A file with a syntax error is never overwritten. [Open] then returns the
// store together with an error naming the line and column; the store is
// empty but usable for reading (ssh config aliases still resolve), and every
// write fails with an error wrapping [ErrReadOnly] until the file is fixed.
//
// The UI and CLI read a snapshot ([Store.Sites], [Store.Entries],
// [Store.Get]) and change it only through [Store.Update] or the helpers built
// on it ([Store.Put], [Store.Add], [Store.Remove], [Store.Rename]).
// [Store.Reload] refreshes the snapshot when another process may have changed
// the file.
//
// # Names everywhere
//
// A bookmark name works wherever a URL does. Callers pass what the user typed
// to [Store.Resolve] (path positions: `ferry get mysite:logs/app.log .`) or
// [Store.ResolveConnect] (connect position, where a bare name is allowed:
// `ferry mysite`) before dialing, instead of calling protocol.Parse directly:
//
//	ps, bm, err := store.Resolve(arg)
//	if err != nil { ... }            // a malformed address
//	if ps.IsLocal() { ... }          // a local path, scp rules
//	if bm != nil && bm.Source == bookmarks.SourceBookmark {
//		// apply bm.KeyFile, bm.AuthOrder, bm.FTP, bm.Transfer to the dial
//		// options, and take the password from
//		// secrets.Get(ctx, bm.SecretKey(), bookmarks.KindPassword)
//	}
//	// an ssh config alias comes back as "alias:path" (ps.Host is the
//	// alias) for the SFTP backend's own ssh config handling; FTP sites
//	// without a saved password may find one with store.NetrcLogin(ps).
//	client, err := dial(ctx, ps, ...)
//
// A bookmark wins over an ssh config alias of the same name, and either wins
// over a host name. `mysite:path` without a leading slash is relative to the
// bookmark's remote start directory (the login directory when it has none);
// `mysite:` alone is that directory.
//
// # Secrets
//
// Passwords and key passphrases never enter bookmarks.toml. They live behind
// the [Secrets] interface: the OS keyring ([Keyring]), an opt-in file
// encrypted with a master password ([SecretFile]), or nothing at all
// ([AskSecrets]: ferry asks each time). [MemSecrets] is an in-memory fake for
// tests.
package bookmarks
