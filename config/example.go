package config

// Example is a commented config.toml showing every setting at its default;
// README.md shows it, and a test checks it loads cleanly.
const Example = `# ~/.config/ferry/config.toml — every setting is optional.

# Transfers running at once (1-64).
workers = 4

# A target that exists: ask, overwrite, skip, resume, rename, newer
# (overwrite if the source is newer) or size-differs. A bookmark's own
# policy wins.
conflict = "ask"

# Unknown host keys and certificates: ask, accept-new or strict.
# Unset: ask on a terminal, strict in scripts.
# trust = "ask"

# "default" or "no-color" (NO_COLOR in the environment also works).
theme = "default"

# Commands for F4 (edit) and F3 (view). Unset: $VISUAL, $EDITOR, vi;
# $PAGER, then ferry's own viewer.
# editor = "nvim"
# pager = "less -R"

# Where passwords go: auto (the OS keyring, else ask each time), keyring,
# file (encrypted with a master password), ask (never stored).
secrets = "auto"

# Recent connections offered in the connect dialog (0 keeps none).
recent_sites = 20

# Defaults for FTP sites; a bookmark's own options win.
[ftp]
mode = "passive"          # passive or active
type = "binary"           # binary, ascii or auto
# Sent as ASCII when type is "auto".
ascii_extensions = ["txt", "csv", "html", "css", "js", "json", "xml", "md", "php", "sh", "sql"]
# encoding = "latin1"     # the server's file name encoding; default UTF-8

# Key bindings: action = ["key", ...]. "ferry" shows the actions with "?".
[keymap]
# copy = ["f5", "c"]
# quit = ["f10", "q"]
`
