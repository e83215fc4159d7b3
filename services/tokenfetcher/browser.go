package tokenfetcher

import (
	"os/exec"
	"runtime"
)

// openBrowser starts the system's URL opener without waiting for the
// browser; it fails when there is none (a server without a desktop).
func openBrowser(url string) error {
	var cmd *exec.Cmd
	switch runtime.GOOS {
	case "darwin":
		cmd = exec.Command("open", url)
	case "windows":
		cmd = exec.Command("rundll32", "url.dll,FileProtocolHandler", url)
	default:
		cmd = exec.Command("xdg-open", url)
	}
	if err := cmd.Start(); err != nil {
		return err
	}
	go func() { _ = cmd.Wait() }() // reap; xdg-open returns at once
	return nil
}
