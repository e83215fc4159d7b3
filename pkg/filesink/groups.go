package filesink

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"

	"github.com/conflux-dev/conflux/proto"
)

// WriteGroup writes a group with its members to
// identities/groups/<group id>.json, so that a search engine can expand
// the groups an ACL names. The file is rewritten only when its content
// changes. Members are written in the order given.
func (s *Sink) WriteGroup(ctx context.Context, g proto.Group) error {
	if g.ID == "" {
		return errors.New("write group: empty id")
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("write group %s: %w", g.ID, err)
	}
	if g.Members == nil {
		g.Members = []proto.GroupMember{}
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(g); err != nil {
		return fmt.Errorf("write group %s: %w", g.ID, err)
	}
	name := GroupPath(g.ID)
	defer s.lock("group\x00" + g.ID)()
	if old, err := s.root.ReadFile(name); err == nil && bytes.Equal(old, b.Bytes()) {
		return nil
	}
	if _, err := s.writeAtomic(name, func(w io.Writer) error {
		_, err := w.Write(b.Bytes())
		return err
	}); err != nil {
		return fmt.Errorf("write group %s: %w", g.ID, err)
	}
	return nil
}

// Group returns a stored group, and whether there is one.
func (s *Sink) Group(id string) (proto.Group, bool, error) {
	var g proto.Group
	data, err := s.root.ReadFile(GroupPath(id))
	if errors.Is(err, fs.ErrNotExist) {
		return g, false, nil
	}
	if err != nil {
		return g, false, fmt.Errorf("read group %s: %w", id, err)
	}
	if err := json.Unmarshal(data, &g); err != nil {
		return g, false, fmt.Errorf("decode group %s: %w", id, err)
	}
	return g, true, nil
}
