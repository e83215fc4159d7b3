package app

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/conflux-dev/conflux/pkg/userscsv"
	"github.com/conflux-dev/conflux/proto"
)

// maxListedBadLines bounds how many bad lines ImportUsers prints one by one.
const maxListedBadLines = 20

// ImportUsers loads the admin "Export users" CSV into the users bucket
// (account id → email), shared by every replica of the permission
// resolver. Bad lines are reported by number and the good ones are kept,
// up to users_csv_max_bad_rows bad lines: one more fails the import before
// anything is stored, since a file that bad is not the export.
func (a *App) ImportUsers(ctx context.Context, path string, out io.Writer) (int, error) {
	opts := userscsv.Options{MaxBadRows: a.Config.UsersCSVMaxBadRows}
	users, bad, err := opts.ParseFile(path)
	if errors.Is(err, userscsv.ErrTooManyBadRows) {
		return 0, fmt.Errorf("%w; nothing imported (is it the admin \"Export users\" CSV? users_csv_max_bad_rows sets how many bad rows are skipped)", err)
	}
	if err != nil {
		return 0, err
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
	for i, b := range bad {
		if i == maxListedBadLines {
			fmt.Fprintf(out, "  … and %d more bad lines\n", len(bad)-i)
			break
		}
		fmt.Fprintf(out, "  %s:%d: %v\n", path, b.Line, b.Err)
	}
	return n, nil
}
