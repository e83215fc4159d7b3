package sink

import (
	"testing"

	"github.com/conflux-dev/conflux/pkg/filesink"
	"github.com/conflux-dev/conflux/services/sink/sinkport"
	"github.com/conflux-dev/conflux/services/sink/sinkport/sinkporttest"
)

func TestFilesConformance(t *testing.T) {
	sinkporttest.Run(t, func(t *testing.T) sinkport.Backend {
		fs, err := filesink.Open(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		return Files(fs)
	})
}
