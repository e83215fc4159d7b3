package app

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/conflux-dev/conflux/pkg/userscsv"
	"github.com/conflux-dev/conflux/proto"
)

// ImportUsers loads the admin "Export users" CSV into the users bucket
// (account id → email), shared by every replica of the permission
// resolver. Bad lines are reported by number; the good ones are kept.
func (a *App) ImportUsers(ctx context.Context, path string, out io.Writer) (int, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, fmt.Errorf("users csv: %w", err)
	}
	defer f.Close()
	users, bad, err := userscsv.Parse(f)
	if err != nil {
		return 0, fmt.Errorf("users csv %s: %w", path, err)
	}
	kv, err := a.JS.KeyValue(ctx, proto.BucketUsers)
	if err != nil {
		return 0, fmt.Errorf("open users bucket: %w", err)
	}
	n := 0
	for _, u := range users {
		if u.Email == "" || u.AccountID == "" {
			continue
		}
		if _, err := kv.Put(ctx, proto.Token(u.AccountID), []byte(u.Email)); err != nil {
			return n, fmt.Errorf("store user %s: %w", u.AccountID, err)
		}
		n++
	}
	fmt.Fprintf(out, "users csv %s: %d active users with an email imported, %d bad lines\n", path, n, len(bad))
	for _, b := range bad {
		fmt.Fprintf(out, "  %s:%d: %v\n", path, b.Line, b.Err)
	}
	return n, nil
}
