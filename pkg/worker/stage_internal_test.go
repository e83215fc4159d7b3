package worker

import (
	"testing"

	"github.com/conflux-dev/conflux/pkg/config"
	"github.com/conflux-dev/conflux/proto"
)

func TestConcurrency(t *testing.T) {
	fetcher, _ := proto.Stage(proto.StageFetcher)
	perms, _ := proto.Stage(proto.StagePermissions)
	for _, tc := range []struct {
		name    string
		stage   string
		fetcher int
		want    int
	}{
		{"fetcher from the stage table", proto.StageFetcher, 0, fetcher.Concurrency},
		{"fetcher from crawl.fetcher_concurrency", proto.StageFetcher, 2, 2},
		{"other stages keep the table's figure", proto.StagePermissions, 2, perms.Concurrency},
		{"extractor takes crawl.concurrency", proto.StageExtractor, 2, 4},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := config.Default()
			cfg.Crawl.FetcherConcurrency = tc.fetcher
			if got := (Deps{Config: cfg}).Concurrency(tc.stage); got != tc.want {
				t.Errorf("Concurrency(%s) = %d, want %d", tc.stage, got, tc.want)
			}
		})
	}
}
