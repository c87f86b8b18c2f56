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

# "default" (dark or light, as the terminal's background), "light",
# "high-contrast" or "no-color" (NO_COLOR in the environment also works).
# LS_COLORS, when set, colours file names as ls does. To change colours,
# write theme as a table at the end of the file instead: "name" picks the
# theme, the other keys are colours ("#rrggbb", "#rgb" or 0-255):
#   [theme]
#   name = "light"
#   dir = "#005fd7"
#   cursor_bg = "31"
# Keys: header, header_focus, path, col_header, marked, cursor, cursor_dim,
# newer, missing, diff, warn, error, ok, dim, dialog_title, dialog_border,
# alarm, key, secure, insecure, frame_focus, frame_dim, frame_title, and for
# names dir, link, exec, special, archive, image, media, document; header,
# header_focus, cursor, cursor_dim and alarm also take a background
# (header_bg, ...).
theme = "default"

# "nerd" puts Nerd Font file-type glyphs before names (the terminal needs a
# Nerd Font); "none" leaves them out.
icons = "none"

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
