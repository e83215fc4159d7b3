package stage_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/conflux-dev/conflux/pkg/stage"
)

func TestErrorClassification(t *testing.T) {
	base := errors.New("404")
	perm := fmt.Errorf("fetch page 1: %w", stage.Permanent(base))
	if !stage.IsPermanent(perm) || !errors.Is(perm, base) || perm.Error() != "fetch page 1: 404" {
		t.Errorf("wrapped Permanent: permanent=%v is=%v msg=%q", stage.IsPermanent(perm), errors.Is(perm, base), perm)
	}
	if stage.IsPermanent(base) || stage.Permanent(nil) != nil {
		t.Error("plain error or nil classified permanent")
	}
	ra := fmt.Errorf("list spaces: %w", stage.RetryAfter(base, 7*time.Second))
	if d, ok := stage.RetryDelay(ra); !ok || d != 7*time.Second || !errors.Is(ra, base) {
		t.Errorf("RetryDelay = %s, %v", d, ok)
	}
	if _, ok := stage.RetryDelay(base); ok || stage.RetryAfter(nil, time.Second) != nil {
		t.Error("plain error or nil has a retry delay")
	}
}
