package cli

import (
	"fmt"
	"io"

	"github.com/conflux-dev/conflux/pkg/logging"
)

// clearScreen starts a new reading of `status --watch`: on a terminal it
// moves the cursor home and clears the screen, so that each reading
// replaces the last in place; elsewhere (a pipe, a file) readings follow
// one another, separated by a blank line.
func clearScreen(w io.Writer, first bool) {
	switch {
	case logging.IsTerminal(w):
		fmt.Fprint(w, "\033[H\033[2J")
	case !first:
		fmt.Fprintln(w)
	}
}
