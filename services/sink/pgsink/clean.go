package pgsink

import (
	"io/fs"
	"strings"

	"github.com/conflux-dev/conflux/proto"
)

// cleanText makes a string storable: PostgreSQL's text and jsonb refuse
// NUL characters and invalid UTF-8.
func cleanText(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if strings.IndexByte(s, 0) >= 0 {
		s = strings.ReplaceAll(s, "\x00", "")
	}
	return s
}

func cleanList(l []string) []string {
	out := make([]string, len(l))
	for i, s := range l {
		out[i] = cleanText(s)
	}
	return out
}

func cleanPtr(p *string) *string {
	if p == nil {
		return nil
	}
	s := cleanText(*p)
	return &s
}

// clean returns the document with every string storable and every list
// non-nil (so doc holds [] rather than null, as the file sink writes it).
func clean(d proto.Document) proto.Document {
	for _, s := range []*string{&d.ID, &d.Type, &d.Site, &d.SpaceKey, &d.SpaceID, &d.Title, &d.URL, &d.CreatedAt,
		&d.UpdatedAt, &d.Author.AccountID, &d.Author.Email, &d.BodyText, &d.CrawlID} {
		*s = cleanText(*s)
	}
	d.Body, d.Blob = "", nil
	d.ParentID, d.ContainerID = cleanPtr(d.ParentID), cleanPtr(d.ContainerID)
	d.Ancestors, d.Labels = cleanList(d.Ancestors), cleanList(d.Labels)
	d.AncestorTitles = cleanList(d.AncestorTitles)
	d.ACL.Users, d.ACL.AccountIDs = cleanList(d.ACL.Users), cleanList(d.ACL.AccountIDs)
	d.ACL.Groups, d.ACL.GroupNames = cleanList(d.ACL.Groups), cleanList(d.ACL.GroupNames)
	if d.Attachment != nil {
		a := *d.Attachment
		a.FileName, a.MediaType, a.Skipped = cleanText(a.FileName), cleanText(a.MediaType), cleanText(a.Skipped)
		d.Attachment = &a
	}
	return d
}

// lower returns emails in lower case, as acl_users and member_emails keep
// them (an email's case does not matter to whoever signs in).
func lower(l []string) []string {
	out := make([]string, len(l))
	for i, s := range l {
		out[i] = strings.ToLower(s)
	}
	return out
}

func mustSub(f fs.FS, dir string) fs.FS {
	sub, err := fs.Sub(f, dir)
	if err != nil {
		panic(err)
	}
	return sub
}
