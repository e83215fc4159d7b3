package permissions

import (
	"context"
	"fmt"
	"strings"

	"github.com/conflux-dev/conflux/pkg/confluence"
	"github.com/conflux-dev/conflux/pkg/storagetext"
	"github.com/conflux-dev/conflux/proto"
)

// mentionNames returns the display names of the accounts a document's
// body mentions, for the sink to write in place of the mentions. Names
// come from the accounts this crawl already resolved (space grants,
// restrictions, group members, authors); the accounts not seen yet are
// read in one users-bulk call for the document. An account without a
// visible name is left out: its mention is dropped from the text, never
// written as an id.
func (s *Service) mentionNames(ctx context.Context, st *crawlState, doc proto.Document) (map[string]string, error) {
	ids := mentionIDs(doc)
	if len(ids) == 0 {
		return nil, nil
	}
	ms, err := s.res.members(ctx, st, ids)
	if err != nil {
		return nil, fmt.Errorf("names of %d mentioned users: %w", len(ids), err)
	}
	names := make(map[string]string, len(ms))
	for _, m := range ms {
		if m.Name != "" {
			names[m.ID] = m.Name
		}
	}
	return names, nil
}

// mentionIDs are the accounts a document's body mentions, in either body
// format.
func mentionIDs(doc proto.Document) []string {
	if doc.BodyFormat == proto.BodyADF {
		return storagetext.ADFMentionIDs(doc.Body)
	}
	return storagetext.MentionIDs(doc.Body)
}

// displayName is the name a user is shown by: the display name, else the
// public name. Confluence hides neither for the crawling account (they
// may be a nickname the user chose), but an unknown account has none.
func displayName(u confluence.User) string {
	if n := strings.TrimSpace(u.DisplayName); n != "" {
		return n
	}
	return strings.TrimSpace(u.PublicName)
}
