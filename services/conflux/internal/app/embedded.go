package app

import (
	"fmt"
	"net"
	"path/filepath"
	"strconv"

	"github.com/nats-io/nats.go"

	"github.com/conflux-dev/conflux/pkg/bus"
)

// startEmbedded starts the embedded server on nats.data_dir and connects
// in process. With nats.listen set it also accepts clients there, with a
// random token, and leaves its URL in <data_dir>/nats.url for the
// operator commands (removed by Close).
func (a *App) startEmbedded() error {
	dir := filepath.Join(a.Config.NATS.DataDir, "jetstream")
	o := bus.EmbeddedOptions{DataDir: dir, Port: -1}
	if l := a.Config.NATS.Listen; l != "" {
		host, port, err := net.SplitHostPort(l)
		if err != nil {
			return fmt.Errorf("nats.listen %q: %w", l, err)
		}
		o.Host = host
		if o.Port, err = strconv.Atoi(port); err != nil {
			return fmt.Errorf("nats.listen %q: %w", l, err)
		}
		o.Token = bus.NewToken()
	}
	var err error
	a.embedded, err = bus.StartEmbedded(o, a.Log)
	if err != nil {
		return fmt.Errorf("start embedded NATS in %s: %w: %w", dir, ErrNATSUnavailable, err)
	}
	if o.Token != "" {
		addr := a.embedded.Addr().String()
		if a.urlFile, err = bus.WriteURLFile(a.Config.NATS.DataDir, addr, o.Token); err != nil {
			return err
		}
		a.Log.Info("embedded NATS listening", "addr", addr, "url_file", a.urlFile)
	}
	opts := append([]nats.Option{nats.InProcessServer(a.embedded), nats.Name("conflux"), nats.Token(o.Token)},
		bus.LogHandlers(a.Log)...)
	a.NC, err = nats.Connect("", opts...)
	return err
}
