package searchsink

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
)

// op is one action of a bulk request: its action line and, for an index
// action, its source line.
type op struct {
	id     string
	delete bool
	line   []byte // action and source, each ending in "\n"
}

// indexOp is an index action with external versioning: the stored
// document is replaced when version >= its version, and refused with a
// 409 version conflict when it is newer.
func indexOp(id string, version int, source any) (op, error) {
	src, err := json.Marshal(source)
	if err != nil {
		return op{}, fmt.Errorf("encode document %s: %w", id, err)
	}
	return actionOp("index", id, version, src)
}

// deleteOp is a delete action; a missing document answers 404, which is
// success.
func deleteOp(id string) op {
	o, _ := actionOp("delete", id, 0, nil)
	return o
}

func actionOp(action, id string, version int, src []byte) (op, error) {
	meta := map[string]any{"_id": id}
	if version > 0 {
		meta["version"] = version
		meta["version_type"] = "external_gte"
	}
	head, err := json.Marshal(map[string]any{action: meta})
	if err != nil {
		return op{}, fmt.Errorf("encode action for %s: %w", id, err)
	}
	var b bytes.Buffer
	b.Grow(len(head) + len(src) + 2)
	b.Write(head)
	b.WriteByte('\n')
	if src != nil {
		b.Write(src)
		b.WriteByte('\n')
	}
	return op{id: id, delete: action == "delete", line: b.Bytes()}, nil
}

// chunks splits ops into bulk requests of at most maxDocs actions and
// maxBytes bytes (a larger single action goes alone).
func chunks(ops []op, maxDocs, maxBytes int) [][]op {
	var out [][]op
	start, size := 0, 0
	for i, o := range ops {
		if i > start && (i-start >= maxDocs || size+len(o.line) > maxBytes) {
			out = append(out, ops[start:i])
			start, size = i, 0
		}
		size += len(o.line)
	}
	if start < len(ops) {
		out = append(out, ops[start:])
	}
	return out
}

func body(ops []op) []byte {
	var b bytes.Buffer
	for _, o := range ops {
		b.Write(o.line)
	}
	return b.Bytes()
}

// describeID quotes an id for an error message.
func describeID(id string) string { return strconv.Quote(id) }
