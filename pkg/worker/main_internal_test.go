package worker

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/conflux-dev/conflux/pkg/natstest"
	"github.com/conflux-dev/conflux/proto"
)

// service is a stage that records what it was built with and runs until
// its context ends, or fails at once.
type service struct {
	built chan Deps
	fail  error
}

func (s *service) Run(ctx context.Context) error {
	if s.fail != nil {
		return s.fail
	}
	<-ctx.Done()
	return nil
}

func writeConfig(t *testing.T, natsURL string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "conflux.yaml")
	yaml := "site: https://acme.atlassian.net\nauth:\n  email: a@example.com\n  api_token: tok\nnats:\n  url: " + natsURL + "\n"
	if err := os.WriteFile(path, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// fakeStage is the extractor (which calls no Confluence) built as svc,
// with a --shout flag of its own.
func fakeStage(svc *service, shout *bool) Stage {
	build := func(_ context.Context, d Deps) (Service, error) {
		svc.built <- d
		return svc, nil
	}
	return Stage{Name: proto.StageExtractor, New: build, Binary: func() (any, Constructor) {
		var f struct {
			Shout bool `help:"Say it loud."`
		}
		return &f, func(ctx context.Context, d Deps) (Service, error) {
			if f.Shout {
				*shout = true
			}
			return build(ctx, d)
		}
	}}
}

// The exit codes of a stage binary: 2 for bad flags or configuration,
// 0 for --help, --version and a clean stop, 1 for a failed stage; a
// stage's own flag reaches its constructor.
func TestMainExitCodes(t *testing.T) {
	srv := natstest.Start(t)
	good := writeConfig(t, srv.ClientURL())
	noNATS := writeConfig(t, "")
	var shout bool
	tests := []struct {
		name string
		args []string
		fail error
		want int
		out  string
	}{
		{"unknown flag", []string{"--nope"}, nil, exitUsage, "unknown flag --nope"},
		{"missing config", []string{"--config", filepath.Join(t.TempDir(), "none.yaml")}, nil, exitUsage, "none.yaml"},
		{"no nats url", []string{"--config", noNATS}, nil, exitUsage, "nats.url is empty"},
		{"version", []string{"--version"}, nil, exitOK, ""},
		{"help", []string{"--help"}, nil, exitOK, "--shout"},
		{"clean stop", []string{"--config", good, "--shout"}, nil, exitOK, ""},
		{"stage fails", []string{"--config", good}, errors.New("boom"), exitFailed, "boom"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			svc := &service{built: make(chan Deps, 1), fail: tt.fail}
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			go func() { // stop the stage once it is built, as SIGTERM would
				select {
				case <-svc.built:
					time.Sleep(50 * time.Millisecond)
					cancel()
				case <-ctx.Done():
				}
			}()
			var out bytes.Buffer
			if got := run(ctx, fakeStage(svc, &shout), tt.args, &out, &out); got != tt.want {
				t.Fatalf("exit %d, want %d; output:\n%s", got, tt.want, out.String())
			}
			if !strings.Contains(out.String(), tt.out) {
				t.Errorf("output lacks %q:\n%s", tt.out, out.String())
			}
		})
	}
	if !shout {
		t.Error("--shout did not reach the stage's constructor")
	}
}
