// Package filesink is the file sink: the embedded default sink that writes
// every document, attachment and group as files under one directory, laid
// out as the README ("Sinks") says:
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
// Files are written with mode 0600 and directories created with mode 0700
// by default (Options), applied exactly whatever the umask, since documents
// and attachments hold what only some users may read. Directories that
// exist already keep their mode.
//
// A Sink is safe for concurrent use; writes to the same id are serialised.
// Several processes may share a directory: each write is atomic, but two
// processes upserting the same id at once may both apply (last rename wins).
package filesink

import (
	"cmp"
	"errors"
	"fmt"
	"hash/fnv"
	"io/fs"
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

// The default permission modes: only the owner reads what the sink writes.
const (
	DefaultFileMode fs.FileMode = 0o600
	DefaultDirMode  fs.FileMode = 0o700
)

// Options tune Open. The zero value is the default.
type Options struct {
	// FileMode is the permission mode of every file written; 0 means
	// DefaultFileMode. It must give the owner read and write.
	FileMode fs.FileMode
	// DirMode is the permission mode of every directory created; 0 means
	// DefaultDirMode. It must give the owner read, write and search.
	DirMode fs.FileMode
}

// Sink writes documents, attachments and groups under one directory.
type Sink struct {
	dir      string
	root     *os.Root
	docs     *os.Root // the documents folder, held open: one system call a file operation, not one a path element
	atts     *os.Root // the attachments folder, likewise
	fileMode fs.FileMode
	dirMode  fs.FileMode
	locks    [lockStripes]sync.Mutex
}

// Open opens a sink with the default Options; see Options.Open.
func Open(dir string) (*Sink, error) { return Options{}.Open(dir) }

// Open creates the sink directory and its folders if needed and returns a
// Sink that writes beneath it. It removes temporary files older than an
// hour that a crash left behind. Close releases the directory.
func (o Options) Open(dir string) (*Sink, error) {
	if dir == "" {
		return nil, errors.New("open file sink: empty directory")
	}
	fileMode, dirMode := cmp.Or(o.FileMode, DefaultFileMode), cmp.Or(o.DirMode, DefaultDirMode)
	if fileMode&^fs.ModePerm != 0 || fileMode&0o600 != 0o600 || dirMode&^fs.ModePerm != 0 || dirMode&0o700 != 0o700 {
		return nil, fmt.Errorf("open file sink %s: modes %04o and %04o: want permission bits with the owner's read and write (0600) for files, and read, write and search (0700) for directories",
			dir, uint32(fileMode), uint32(dirMode))
	}
	if err := mkdirTop(dir, dirMode); err != nil {
		return nil, fmt.Errorf("open file sink %s: %w", dir, err)
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, fmt.Errorf("open file sink %s: %w", dir, err)
	}
	s := &Sink{dir: dir, root: root, fileMode: fileMode, dirMode: dirMode}
	for _, d := range []string{DocumentsDir, AttachmentsDir, GroupsDir} {
		if err := s.mkdirAll(d); err != nil {
			_ = root.Close()
			return nil, fmt.Errorf("open file sink %s: create %s: %w", dir, d, err)
		}
	}
	if s.docs, err = root.OpenRoot(DocumentsDir); err == nil {
		s.atts, err = root.OpenRoot(AttachmentsDir)
	}
	if err != nil {
		_ = s.Close()
		return nil, fmt.Errorf("open file sink %s: %w", dir, err)
	}
	s.removeStaleTemps(time.Now())
	return s, nil
}

// mkdirTop creates the sink directory when it is missing, with its parents,
// and gives it mode exactly; an existing one keeps its mode.
func mkdirTop(dir string, mode fs.FileMode) error {
	if _, err := os.Stat(dir); !errors.Is(err, fs.ErrNotExist) {
		return nil // there, or a problem that OpenRoot reports
	}
	if err := os.MkdirAll(dir, mode); err != nil {
		return err
	}
	return os.Chmod(dir, mode)
}

// mkdirAll creates the slash-separated directory name under the root and
// its missing parents, each with the sink's directory mode applied exactly
// (whatever the umask); directories that exist keep their mode.
func (s *Sink) mkdirAll(name string) error {
	err := s.root.Mkdir(name, s.dirMode)
	if errors.Is(err, fs.ErrNotExist) && path.Dir(name) != name {
		if err := s.mkdirAll(path.Dir(name)); err != nil {
			return err
		}
		err = s.root.Mkdir(name, s.dirMode)
	}
	switch {
	case errors.Is(err, fs.ErrExist):
		return nil // made by another writer, or there before
	case err != nil:
		return err
	}
	return s.root.Chmod(name, s.dirMode)
}

// Dir returns the sink directory as given to Open.
func (s *Sink) Dir() string { return s.dir }

// Close releases the directory. The Sink must not be used afterwards.
func (s *Sink) Close() error {
	var errs []error
	for _, r := range []*os.Root{s.docs, s.atts, s.root} {
		if r != nil {
			errs = append(errs, r.Close())
		}
	}
	return errors.Join(errs...)
}

// lock serialises the writes of one id and returns the unlock function.
func (s *Sink) lock(id string) func() {
	m := &s.locks[stripe(id)]
	m.Lock()
	return m.Unlock
}

// stripe is the index of the mutex of an id.
func stripe(id string) uint32 {
	h := fnv.New32a()
	_, _ = h.Write([]byte(id))
	return h.Sum32() % lockStripes
}

// DocumentPath returns the path of a document's JSON file, relative to the
// sink directory and slash-separated.
func DocumentPath(id string) string { return path.Join(DocumentsDir, documentFile(id)) }

// documentFile is the name of a document's JSON file in the documents
// folder.
func documentFile(id string) string { return SafeID(id) + ".json" }

// AttachmentPath returns where an attachment's bytes are written, relative
// to the sink directory and slash-separated: attachments/<id>/<safe name>.
// This is the value of the document's attachment.path.
func AttachmentPath(id, fileName string) string {
	return path.Join(AttachmentsDir, SafeID(id), SafeName(fileName))
}

// GroupPath returns the path of a group's JSON file, relative to the sink
// directory and slash-separated.
func GroupPath(groupID string) string { return path.Join(GroupsDir, SafeID(groupID)+".json") }
