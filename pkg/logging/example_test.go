package logging_test

import (
	"os"

	"github.com/conflux-dev/conflux/pkg/logging"
)

func ExampleNew() {
	log := logging.New(os.Stderr, "info", "auto") // JSON unless stderr is a terminal
	log.Info("space listed", "stage", "fetcher", "space_id", "98304", "items", 1250)
	log.Info("token refreshed", "access_token", "eyJhbGciOi…") // logged as access_token=[redacted]
}
