package searchsink

import (
	"encoding/json"
	"fmt"
	"net/http"
)

// bulkResponse is the body of a bulk answer: one entry per action, in the
// order of the request, each keyed by the action ("index", "delete").
type bulkResponse struct {
	Errors bool                  `json:"errors"`
	Items  []map[string]itemInfo `json:"items"`
}

type itemInfo struct {
	ID     string     `json:"_id"`
	Status int        `json:"status"`
	Result string     `json:"result"`
	Error  *errorInfo `json:"error"`
}

// errorInfo is the "error" object of an item or of a whole answer.
type errorInfo struct {
	Type   string `json:"type"`
	Reason string `json:"reason"`
}

func (e *errorInfo) String() string {
	if e == nil {
		return "no error detail"
	}
	return e.Type + ": " + e.Reason
}

// errorBody is the body of a failed request: {"error": {...}, "status": N};
// some proxies answer with a plain string error.
type errorBody struct {
	Error json.RawMessage `json:"error"`
}

// replyError describes a failed whole request by its status and error.
func replyError(r Reply) string {
	var eb errorBody
	if json.Unmarshal(r.Body, &eb) == nil && len(eb.Error) > 0 {
		var info errorInfo
		if json.Unmarshal(eb.Error, &info) == nil && info.Type != "" {
			return fmt.Sprintf("status %d: %s", r.Status, info.String())
		}
		var s string
		if json.Unmarshal(eb.Error, &s) == nil {
			return fmt.Sprintf("status %d: %s", r.Status, s)
		}
	}
	return fmt.Sprintf("status %d %s", r.Status, http.StatusText(r.Status))
}

// retryable reports whether a status may succeed when sent again: 429
// (rejected execution, too many requests) and every 5xx.
func retryable(status int) bool {
	return status == http.StatusTooManyRequests || status >= 500
}

// outcome is what one bulk item came to.
type outcome int

const (
	done outcome = iota
	again
	failed
)

// classify decides one item: a success, a delete of a missing document
// and a version conflict (a newer version is stored) are done; 429 and
// 5xx are sent again; the rest failed.
func classify(o op, it itemInfo) outcome {
	switch {
	case it.Status >= 200 && it.Status < 300:
		return done
	case o.delete && it.Status == http.StatusNotFound:
		return done
	case !o.delete && it.Status == http.StatusConflict && it.Error != nil && it.Error.Type == "version_conflict_engine_exception":
		return done
	case retryable(it.Status):
		return again
	}
	return failed
}

// items returns the response's items in request order, one per action.
func parseBulk(data []byte, n int) ([]itemInfo, error) {
	var br bulkResponse
	if err := json.Unmarshal(data, &br); err != nil {
		return nil, fmt.Errorf("read bulk response: %w", err)
	}
	if len(br.Items) != n {
		return nil, fmt.Errorf("bulk response has %d items for %d actions", len(br.Items), n)
	}
	out := make([]itemInfo, n)
	for i, m := range br.Items {
		for _, it := range m {
			out[i] = it
		}
	}
	return out, nil
}
