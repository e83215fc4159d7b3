package bus

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
)

// URLFileName is the file in the data directory where a running embedded
// server leaves its client URL (token included), for the operator commands
// and the nats CLI.
const URLFileName = "nats.url"

// NewToken returns a random client token for an embedded server.
func NewToken() string {
	var b [24]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// WriteURLFile writes nats://<token>@<addr> to <dir>/nats.url, readable by
// the owner only (it carries the token), and returns its path.
func WriteURLFile(dir, addr, token string) (string, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("write %s: %w", URLFileName, err)
	}
	path := filepath.Join(dir, URLFileName)
	u := url.URL{Scheme: "nats", User: url.User(token), Host: addr}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(u.String()+"\n"), 0o600); err != nil {
		return "", fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return "", fmt.Errorf("write %s: %w", path, err)
	}
	return path, nil
}

// ErrNoURLFile says no embedded server left its URL in the data directory:
// no `conflux run` is running there.
var ErrNoURLFile = errors.New("no " + URLFileName + " in the data directory")

// ReadURLFile reads <dir>/nats.url and returns the server URL without
// the token, and the token.
func ReadURLFile(dir string) (server, token string, err error) {
	path := filepath.Join(dir, URLFileName)
	raw, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return "", "", fmt.Errorf("%s: %w", path, ErrNoURLFile)
	}
	if err != nil {
		return "", "", fmt.Errorf("read %s: %w", path, err)
	}
	u, err := url.Parse(strings.TrimSpace(string(raw)))
	if err != nil || u.Scheme != "nats" || u.Host == "" || u.User == nil {
		return "", "", fmt.Errorf("%s: not a nats://token@host:port URL", path)
	}
	token = u.User.Username()
	u.User = nil
	return u.String(), token, nil
}
