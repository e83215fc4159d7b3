package tokenfetcher

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
)

// SecretEnv is the environment variable the client secret is read from
// when neither -s nor --secret-file is given.
const SecretEnv = "CONFLUX_CLIENT_SECRET"

// maxSecret bounds what is read as a secret from a file or standard input.
const maxSecret = 64 << 10

// secretSources are the ways to hand over the client secret, so that it
// need never be on the command line (visible in ps and the shell history).
type secretSources struct {
	flag   string // -s: the secret itself, or "-" for standard input
	file   string // --secret-file
	getenv func(string) string
	stdin  io.Reader
}

// resolve returns the secret from, in this order, -s (or standard input
// with "-s -"), --secret-file, then $CONFLUX_CLIENT_SECRET; "" when none.
func (s secretSources) resolve() (string, error) {
	if s.flag != "" && s.file != "" {
		return "", errors.New("-s and --secret-file: give the secret one way")
	}
	switch {
	case s.flag == "-":
		if s.stdin == nil {
			return "", errors.New("-s -: no standard input")
		}
		return readSecret(s.stdin, "standard input")
	case s.flag != "":
		return s.flag, nil
	case s.file != "":
		f, err := os.Open(s.file)
		if err != nil {
			return "", fmt.Errorf("--secret-file: %w", err)
		}
		defer f.Close()
		return readSecret(f, "--secret-file "+s.file)
	case s.getenv != nil:
		return s.getenv(SecretEnv), nil
	}
	return "", nil
}

// readSecret reads the first line of r, without surrounding spaces.
func readSecret(r io.Reader, from string) (string, error) {
	line, err := bufio.NewReader(io.LimitReader(r, maxSecret)).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("read the client secret from %s: %w", from, err)
	}
	secret := strings.TrimSpace(line)
	if secret == "" {
		return "", fmt.Errorf("read the client secret from %s: it is empty", from)
	}
	return secret, nil
}
