package bus

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/nats-io/nats-server/v2/server"
)

// EmbeddedOptions configure the NATS server the all-in-one binary runs in
// its own process.
type EmbeddedOptions struct {
	// DataDir holds the JetStream file store. Required.
	DataDir string
	// Port is the client port: 0 picks a free port, -1 opens no listener
	// (connect in process with nats.InProcessServer(s), or
	// ConnectOptions.InProcess).
	Port int
	// MaxStore caps the file store, in bytes; 0 lets the server choose
	// (a share of the free disk).
	MaxStore int64
	// Host is the listen address. Default 127.0.0.1.
	Host string
	// Name is the server name. Default "conflux".
	Name string
	// Token, when set, is required of every client (in process too:
	// nats.Token). Default: none.
	Token string
	// ReadyTimeout bounds the wait for the server to start. Default 30s.
	ReadyTimeout time.Duration
}

// StartEmbedded starts a JetStream server with file storage under
// o.DataDir and waits until it accepts connections. The server logs to log
// (nil: nowhere). The caller calls Shutdown (and WaitForShutdown).
func StartEmbedded(o EmbeddedOptions, log *slog.Logger) (*server.Server, error) {
	if o.DataDir == "" {
		return nil, errors.New("embedded nats: data dir is required")
	}
	so := &server.Options{
		ServerName:        o.Name,
		Host:              o.Host,
		Port:              o.Port,
		JetStream:         true,
		StoreDir:          o.DataDir,
		JetStreamMaxStore: o.MaxStore,
		NoSigs:            true,
		Authorization:     o.Token,
	}
	if so.ServerName == "" {
		so.ServerName = "conflux"
	}
	if so.Host == "" {
		so.Host = "127.0.0.1"
	}
	switch o.Port {
	case 0:
		so.Port = server.RANDOM_PORT
	case -1:
		so.Port = 0
		so.DontListen = true
	}
	s, err := server.NewServer(so)
	if err != nil {
		return nil, fmt.Errorf("embedded nats: %w", err)
	}
	sl := &serverLog{log: log}
	if log == nil {
		sl.log = slog.New(slog.DiscardHandler)
	}
	s.SetLoggerV2(sl, sl.log.Enabled(context.Background(), slog.LevelDebug), false, false)
	go s.Start()
	if err := waitReady(s, sl, o.ReadyTimeout); err != nil {
		s.Shutdown()
		s.WaitForShutdown()
		return nil, err
	}
	return s, nil
}

func waitReady(s *server.Server, sl *serverLog, timeout time.Duration) error {
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		if msg := sl.fatal(); msg != "" {
			return fmt.Errorf("embedded nats: %s", msg)
		}
		if s.ReadyForConnections(100*time.Millisecond) && s.JetStreamEnabled() {
			return nil
		}
	}
	if msg := sl.fatal(); msg != "" {
		return fmt.Errorf("embedded nats: %s", msg)
	}
	return fmt.Errorf("embedded nats: not ready after %s", timeout)
}

// serverLog adapts the server's logger to slog and remembers the first
// fatal error, which the server reports instead of exiting.
type serverLog struct {
	log  *slog.Logger
	mu   sync.Mutex
	last string
}

func (l *serverLog) fatal() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.last
}

// Noticef logs at debug level: the server's notices are its start-up
// banner and routine state changes.
func (l *serverLog) Noticef(format string, v ...any) {
	l.log.Debug(fmt.Sprintf(format, v...), "component", "nats")
}
func (l *serverLog) Warnf(format string, v ...any) {
	l.log.Warn(fmt.Sprintf(format, v...), "component", "nats")
}
func (l *serverLog) Errorf(format string, v ...any) {
	l.log.Error(fmt.Sprintf(format, v...), "component", "nats")
}
func (l *serverLog) Debugf(format string, v ...any) {
	l.log.Debug(fmt.Sprintf(format, v...), "component", "nats")
}
func (l *serverLog) Tracef(format string, v ...any) {
	l.log.Debug(fmt.Sprintf(format, v...), "component", "nats")
}
func (l *serverLog) Fatalf(format string, v ...any) {
	msg := fmt.Sprintf(format, v...)
	l.log.Error(msg, "component", "nats")
	l.mu.Lock()
	if l.last == "" {
		l.last = msg
	}
	l.mu.Unlock()
}
