package bus

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"net/url"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
)

// ConnectOptions say how to reach NATS. Secrets in them are never logged
// or put in errors.
type ConnectOptions struct {
	// URL is one server URL or several joined by commas
	// ("nats://h1:4222,nats://h2:4222").
	URL string
	// User and Password authenticate by user and password.
	User, Password string
	// Token authenticates by token.
	Token string
	// NKeyFile is a file holding an NKey seed.
	NKeyFile string
	// CredsFile is a JWT credentials file (decentralized auth).
	CredsFile string
	// TLSCA is the CA file that verifies the server; TLSCert and TLSKey
	// are the client certificate and key for mutual TLS.
	TLSCA, TLSCert, TLSKey string
	// Name is the connection name the server shows (e.g. the stage).
	Name string

	// InProcess, when set, connects to an embedded server without TCP
	// (a *server.Server started with Port -1); URL is then ignored.
	InProcess nats.InProcessConnProvider
	// ConnectTimeout bounds the first connection, retries included.
	// Default 30s. Once connected, the client reconnects forever.
	ConnectTimeout time.Duration
	// Logger receives disconnects, reconnects and asynchronous errors.
	// Default slog.Default().
	Logger *slog.Logger
}

// Connect connects to NATS. The first connection is retried with back-off
// for up to ConnectTimeout (an authorization failure is not retried); after
// that the client reconnects forever, buffering publishes while
// disconnected.
func Connect(ctx context.Context, o ConnectOptions) (*nats.Conn, error) {
	log := o.Logger
	if log == nil {
		log = slog.Default()
	}
	opts, err := o.natsOptions(log)
	if err != nil {
		return nil, err
	}
	timeout := o.ConnectTimeout
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	where := RedactURL(o.URL)
	if o.InProcess != nil {
		where = "the embedded server"
	}
	wait := 250 * time.Millisecond
	for attempt := 1; ; attempt++ {
		nc, err := nats.Connect(o.URL, opts...)
		if err == nil {
			return nc, nil
		}
		if permanentConnectError(err) {
			return nil, fmt.Errorf("connect to %s: %w", where, err)
		}
		log.Warn("nats connect failed; retrying", "url", where, "attempt", attempt, "error", err, "retry_in", wait)
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("connect to %s: gave up after %d attempts: %w", where, attempt, err)
		case <-time.After(wait):
		}
		wait = min(2*wait, 5*time.Second)
	}
}

// permanentConnectError reports errors that a retry cannot fix: refused
// credentials, missing files, TLS that does not verify.
func permanentConnectError(err error) bool {
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return false
	}
	for _, target := range []error{
		nats.ErrAuthorization, nats.ErrAuthExpired, nats.ErrAuthRevoked, nats.ErrAccountAuthExpired,
		nats.ErrNkeysNotSupported, nats.ErrSecureConnRequired, nats.ErrSecureConnWanted, nats.ErrTLS,
		fs.ErrNotExist,
	} {
		if errors.Is(err, target) {
			return true
		}
	}
	return strings.Contains(strings.ToLower(err.Error()), "authorization violation")
}

func (o ConnectOptions) natsOptions(log *slog.Logger) ([]nats.Option, error) {
	opts := append([]nats.Option{
		nats.Name(o.Name),
		nats.Timeout(5 * time.Second),
		nats.MaxReconnects(-1),
		nats.ReconnectWait(time.Second),
		nats.ReconnectJitter(500*time.Millisecond, 2*time.Second),
	}, LogHandlers(log)...)
	if o.InProcess != nil {
		opts = append(opts, nats.InProcessServer(o.InProcess))
	}
	if o.User != "" {
		opts = append(opts, nats.UserInfo(o.User, o.Password))
	}
	if o.Token != "" {
		opts = append(opts, nats.Token(o.Token))
	}
	if o.NKeyFile != "" {
		opt, err := nats.NkeyOptionFromSeed(o.NKeyFile)
		if err != nil {
			return nil, fmt.Errorf("nats nkey file %s: %w", o.NKeyFile, err)
		}
		opts = append(opts, opt)
	}
	if o.CredsFile != "" {
		opts = append(opts, nats.UserCredentials(o.CredsFile))
	}
	if o.TLSCA != "" {
		opts = append(opts, nats.RootCAs(o.TLSCA))
	}
	if (o.TLSCert == "") != (o.TLSKey == "") {
		return nil, errors.New("nats tls: cert and key go together")
	}
	if o.TLSCert != "" {
		opts = append(opts, nats.ClientCert(o.TLSCert, o.TLSKey))
	}
	return opts, nil
}

// LogHandlers route a connection's events through log: disconnects,
// reconnects and asynchronous errors (a permission violation, a slow
// consumer), which nats.go otherwise prints as plain text to stderr.
func LogHandlers(log *slog.Logger) []nats.Option {
	return []nats.Option{
		nats.DisconnectErrHandler(func(nc *nats.Conn, err error) {
			if err != nil {
				log.Warn("nats disconnected", "error", err)
			}
		}),
		nats.ReconnectHandler(func(nc *nats.Conn) {
			log.Info("nats reconnected", "url", nc.ConnectedUrlRedacted())
		}),
		nats.ErrorHandler(func(nc *nats.Conn, sub *nats.Subscription, err error) {
			if sub != nil {
				log.Error("nats async error", "subject", sub.Subject, "error", err)
				return
			}
			log.Error("nats async error", "error", err)
		}),
	}
}

// RedactURL returns a NATS URL list with any user, password or token
// removed, for logs and errors.
func RedactURL(urls string) string {
	parts := strings.Split(urls, ",")
	for i, p := range parts {
		p = strings.TrimSpace(p)
		if u, err := url.Parse(p); err == nil && u.User != nil {
			u.User = nil
			p = u.String()
		} else if err != nil && strings.Contains(p, "@") {
			p = "[redacted]"
		}
		parts[i] = p
	}
	return strings.Join(parts, ",")
}
