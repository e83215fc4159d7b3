package main

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/conflux-dev/conflux/pkg/confluencesim"
)

func TestRun(t *testing.T) {
	for _, tenant := range []string{"demo", "generate", "file"} {
		t.Run(tenant, func(t *testing.T) {
			arg := tenant
			if tenant == "file" {
				arg = filepath.Join(t.TempDir(), "t.json")
				if err := confluencesim.Generate(3, confluencesim.Size{Spaces: 1}).Save(arg); err != nil {
					t.Fatal(err)
				}
			}
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			pr, pw := io.Pipe()
			done := make(chan error, 1)
			go func() {
				done <- run(ctx, []string{"--addr", "127.0.0.1:0", "--tenant", arg, "--latency", "1ms", "--rate", "1000", "--faults", "0", "--seed", "7"}, pw, io.Discard)
				pw.Close()
			}()
			line, err := bufio.NewReader(pr).ReadString('\n')
			if err != nil {
				t.Fatalf("read: %v", err)
			}
			url, ok := strings.CutPrefix(strings.TrimSpace(line), "listening on ")
			if !ok || !strings.HasPrefix(url, "http://127.0.0.1:") {
				t.Fatalf("printed %q", line)
			}
			go io.Copy(io.Discard, pr)
			req, _ := http.NewRequest(http.MethodGet, url+"/wiki/api/v2/spaces", nil)
			req.SetBasicAuth("crawler@example.com", "crawler-token")
			if tenant == "demo" {
				req.SetBasicAuth("demo@example.com", "demo-token")
			}
			res, err := (&http.Client{Timeout: 30 * time.Second}).Do(req)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			if res.StatusCode != 200 {
				t.Fatalf("status %d", res.StatusCode)
			}
			cancel()
			select {
			case err := <-done:
				if err != nil {
					t.Fatalf("run: %v", err)
				}
			case <-time.After(30 * time.Second):
				t.Fatal("run did not return after cancel")
			}
		})
	}
}

func TestBadFlags(t *testing.T) {
	for _, args := range [][]string{{"--faults", "2"}, {"--tenant", "/does/not/exist.json"}, {"extra"}} {
		if err := run(context.Background(), args, io.Discard, io.Discard); err == nil {
			t.Errorf("%v: no error", args)
		}
	}
}
