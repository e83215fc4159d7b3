package searchfake

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"time"
)

// action is the metadata of one bulk action line.
type action struct {
	ID          string `json:"_id"`
	Version     int    `json:"version"`
	VersionType string `json:"version_type"`
}

const indexUUID = "Xq3kMf0nQbmRpl9aUeLqTw"

func (s *Server) bulk(w http.ResponseWriter, name string, body []byte) {
	sc := bufio.NewScanner(bytes.NewReader(body))
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	ix := s.index(name)
	items := []any{}
	hasErrors := false
	for sc.Scan() {
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 {
			continue
		}
		var head map[string]action
		if err := json.Unmarshal(line, &head); err != nil || len(head) != 1 {
			s.writeError(w, http.StatusBadRequest, errInfo{"illegal_argument_exception", "Malformed action/metadata line [" + string(line) + "]"})
			return
		}
		for kind, a := range head {
			var source []byte
			if kind == "index" {
				if !sc.Scan() {
					s.writeError(w, http.StatusBadRequest, errInfo{"illegal_argument_exception", "The bulk request must be terminated by a newline [\\n]"})
					return
				}
				source = append([]byte(nil), sc.Bytes()...)
			}
			item := s.apply(ix, name, kind, a, source)
			if _, failed := item["error"]; failed {
				hasErrors = true
			}
			items = append(items, map[string]any{kind: item})
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"took": 3, "errors": hasErrors, "items": items})
}

// apply performs one action and returns its response item.
func (s *Server) apply(ix *index, name, kind string, a action, source []byte) map[string]any {
	base := map[string]any{"_index": name, "_id": a.ID}
	if len(s.itemFault) > 0 {
		f := s.itemFault[0]
		s.itemFault = s.itemFault[1:]
		return itemError(base, f.status, s.errorFor(f.status), name)
	}
	switch kind {
	case "index":
		return s.put(ix, name, a, source, base)
	case "delete":
		return s.remove(ix, a, base)
	}
	return itemError(base, http.StatusBadRequest, errInfo{"illegal_argument_exception", "Unknown action [" + kind + "]"}, name)
}

func itemError(base map[string]any, status int, e errInfo, name string) map[string]any {
	obj := e.object()
	obj["index_uuid"], obj["shard"], obj["index"] = indexUUID, "0", name
	base["status"], base["error"] = status, obj
	return base
}

// current is the version an action is compared with: the stored
// document's, or a tombstone's still within GCDeletes.
func (s *Server) current(ix *index, id string) (int, bool) {
	if d, ok := ix.docs[id]; ok {
		return d.version, true
	}
	if t, ok := ix.tombstones[id]; ok && time.Since(t.at) < s.GCDeletes {
		return t.version, true
	}
	return 0, false
}

func (s *Server) put(ix *index, name string, a action, source []byte, base map[string]any) map[string]any {
	cur, exists := s.current(ix, a.ID)
	version := cur + 1
	switch a.VersionType {
	case "external_gte":
		if exists && cur > a.Version {
			return itemError(base, http.StatusConflict, errInfo{"version_conflict_engine_exception",
				fmt.Sprintf("[%s]: version conflict, current version [%d] is higher than the one provided [%d]", a.ID, cur, a.Version)}, name)
		}
		version = a.Version
	case "external":
		if exists && cur >= a.Version {
			return itemError(base, http.StatusConflict, errInfo{"version_conflict_engine_exception",
				fmt.Sprintf("[%s]: version conflict, current version [%d] is higher or equal to the one provided [%d]", a.ID, cur, a.Version)}, name)
		}
		version = a.Version
	}
	_, had := ix.docs[a.ID]
	seq := s.nextSeq()
	ix.docs[a.ID] = &stored{version: version, seqNo: seq, source: source}
	delete(ix.tombstones, a.ID)
	result, status := "created", http.StatusCreated
	if had {
		result, status = "updated", http.StatusOK
	}
	return success(base, version, result, status, seq)
}

func (s *Server) remove(ix *index, a action, base map[string]any) map[string]any {
	d, ok := ix.docs[a.ID]
	seq := s.nextSeq()
	if !ok {
		return success(base, 1, "not_found", http.StatusNotFound, seq)
	}
	delete(ix.docs, a.ID)
	ix.tombstones[a.ID] = tombstone{version: d.version + 1, at: time.Now()}
	return success(base, d.version+1, "deleted", http.StatusOK, seq)
}

func success(base map[string]any, version int, result string, status, seq int) map[string]any {
	base["_version"], base["result"], base["status"] = version, result, status
	base["_shards"] = map[string]any{"total": 2, "successful": 1, "failed": 0}
	base["_seq_no"], base["_primary_term"] = seq, 1
	return base
}

func (s *Server) nextSeq() int {
	s.seq++
	return s.seq
}
