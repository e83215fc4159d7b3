// Package filesink is the file sink: the embedded default sink that writes
// every document, attachment and group as files under one directory, laid
// out as DESIGN.md says:
//
//	documents/<id>.json               one proto.Document, JSON, indented by two spaces
//	attachments/<id>/<safe file name> an attachment's bytes
//	identities/groups/<group id>.json {"id", "name", "members": [{"account_id", "email"}]}
//
// Every write is atomic (a temporary file in the same directory, fsync,
// rename, fsync of the directory), so a reader or a crash sees the old file
// or the new one, never a part. Documents are upserted by id and version: a
// write with a lower version than the stored one is ignored, and a write
// with the same version applies only what changed (an ACL from a
// permission-only sync, labels), without copying the attachment again. Ids
// and file names are made safe (SafeID, SafeName) and all access goes
// through an os.Root, so nothing can be written outside the directory, not
// even through a planted symbolic link.
//
// A Sink is safe for concurrent use; writes to the same id are serialised.
// Several processes may share a directory: each write is atomic, but two
// processes upserting the same id at once may both apply (last rename wins).
package filesink

import (
	"errors"
	"fmt"
	"hash/fnv"
	"os"
	"path"
	"sync"
	"time"
)

// The folders under the sink directory.
const (
	DocumentsDir   = "documents"
	AttachmentsDir = "attachments"
	GroupsDir      = "identities/groups"
)

// lockStripes is the number of mutexes that serialise writes per id.
const lockStripes = 64

// Sink writes documents, attachments and groups under one directory.
type Sink struct {
	dir   string
	root  *os.Root
	locks [lockStripes]sync.Mutex
}

// Open creates the sink directory and its folders if needed and returns a
// Sink that writes beneath it. It removes temporary files older than an
// hour that a crash left behind. Close releases the directory.
func Open(dir string) (*Sink, error) {
	if dir == "" {
		return nil, errors.New("open file sink: empty directory")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("open file sink %s: %w", dir, err)
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, fmt.Errorf("open file sink %s: %w", dir, err)
	}
	s := &Sink{dir: dir, root: root}
	for _, d := range []string{DocumentsDir, AttachmentsDir, GroupsDir} {
		if err := root.MkdirAll(d, 0o755); err != nil {
			_ = root.Close()
			return nil, fmt.Errorf("open file sink %s: create %s: %w", dir, d, err)
		}
	}
	s.removeStaleTemps(time.Now())
	return s, nil
}

// Dir returns the sink directory as given to Open.
func (s *Sink) Dir() string { return s.dir }

// Close releases the directory. The Sink must not be used afterwards.
func (s *Sink) Close() error { return s.root.Close() }

// lock serialises the writes of one id and returns the unlock function.
func (s *Sink) lock(id string) func() {
	h := fnv.New32a()
	_, _ = h.Write([]byte(id))
	m := &s.locks[h.Sum32()%lockStripes]
	m.Lock()
	return m.Unlock
}

// DocumentPath returns the path of a document's JSON file, relative to the
// sink directory and slash-separated.
func DocumentPath(id string) string { return path.Join(DocumentsDir, SafeID(id)+".json") }

// AttachmentPath returns where an attachment's bytes are written, relative
// to the sink directory and slash-separated: attachments/<id>/<safe name>.
// This is the value of the document's attachment.path.
func AttachmentPath(id, fileName string) string {
	return path.Join(AttachmentsDir, SafeID(id), SafeName(fileName))
}

// GroupPath returns the path of a group's JSON file, relative to the sink
// directory and slash-separated.
func GroupPath(groupID string) string { return path.Join(GroupsDir, SafeID(groupID)+".json") }
