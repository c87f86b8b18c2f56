package cli

import (
	"context"
	"fmt"
	"strings"
)

// runCompletion prints a completion script for bash, zsh or fish. It
// completes command names and local paths; remote paths are not completed,
// since that would connect on every Tab.
func runCompletion(_ context.Context, e *env, args []string) int {
	if wantsHelp(e, "completion", args) {
		return exitOK
	}
	if len(args) != 1 {
		return e.errorf(exitUsage, "completion takes one shell: bash, zsh or fish")
	}
	var names []string
	for _, c := range commands() {
		names = append(names, c.name)
	}
	words := strings.Join(names, " ")
	switch args[0] {
	case "bash":
		fmt.Fprintf(e.Out, `# bash completion for ferry
_ferry() {
    local cur=${COMP_WORDS[COMP_CWORD]}
    if [ "$COMP_CWORD" -eq 1 ]; then
        COMPREPLY=($(compgen -W "%s --demo --help --version" -- "$cur"))
    else
        COMPREPLY=($(compgen -f -- "$cur"))
    fi
}
complete -o filenames -F _ferry ferry
`, words)
	case "zsh":
		fmt.Fprintf(e.Out, `#compdef ferry
_ferry() {
    if (( CURRENT == 2 )); then
        compadd -- %s --demo --help --version
    else
        _files
    fi
}
compdef _ferry ferry
`, words)
	case "fish":
		fmt.Fprintln(e.Out, "# fish completion for ferry")
		for _, c := range commands() {
			fmt.Fprintf(e.Out, "complete -c ferry -n '__fish_use_subcommand' -a %s -d '%s'\n", c.name, c.summary)
		}
		fmt.Fprintln(e.Out, "complete -c ferry -n '__fish_use_subcommand' -l demo -d 'try ferry against built-in demo servers'")
	default:
		return e.errorf(exitUsage, "completion: unknown shell %q (bash, zsh or fish)", args[0])
	}
	return exitOK
}
