package metrics

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Check is one condition of readiness: nil when it holds.
type Check struct {
	Name string
	Fn   func(ctx context.Context) error
}

// checkTimeout bounds all checks of one /readyz.
const checkTimeout = 3 * time.Second

// Handler serves /metrics, /healthz (the process answers), /readyz
// (every check holds; 503 with the failing ones otherwise) and the Go
// profiles under /debug/pprof/ (net/http/pprof: heap, goroutines, CPU).
func (m *Metrics) Handler(checks ...Check) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Timeout: 10 * time.Second}))
	mux.HandleFunc("GET /debug/pprof/", pprof.Index)
	mux.HandleFunc("GET /debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("GET /debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("GET /debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("GET /debug/pprof/trace", pprof.Trace)
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		_, _ = fmt.Fprintln(w, "ok")
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), checkTimeout)
		defer cancel()
		var failed []string
		for _, c := range checks {
			if err := c.Fn(ctx); err != nil {
				failed = append(failed, c.Name+": "+err.Error())
			}
		}
		if len(failed) > 0 {
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = fmt.Fprintln(w, strings.Join(failed, "\n"))
			return
		}
		_, _ = fmt.Fprintln(w, "ready")
	})
	return mux
}

// Serve listens on addr and serves Handler(checks...) until ctx is done.
// It returns once listening, with the address it listens on; serving
// errors after that are logged.
func (m *Metrics) Serve(ctx context.Context, addr string, log *slog.Logger, checks ...Check) (string, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return "", fmt.Errorf("metrics.addr %s: %w", addr, err)
	}
	srv := &http.Server{Handler: m.Handler(checks...), ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout: 10 * time.Second, WriteTimeout: 30 * time.Second, IdleTimeout: time.Minute}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("metrics server stopped", "addr", ln.Addr().String(), "error", err)
		}
	}()
	context.AfterFunc(ctx, func() {
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
	})
	log.Info("metrics serving", "addr", ln.Addr().String())
	return ln.Addr().String(), nil
}
