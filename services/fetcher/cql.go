package fetcher

import (
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/conflux-dev/conflux/pkg/confluence"
)

// The CQL the fetcher sends, every query built here so that one test can
// check them all against the fields Atlassian documents for Cloud
// (ancestor, content, created, creator, contributor, favourite, id,
// label, lastmodified, macro, mention, parent, space, space.category,
// space.desc, space.key, space.title, space.type, text, title, type,
// watcher). A space is named by its key, quoted and escaped: CQL has no
// space id field.

// CQLTime formats a time the way CQL dates are written: minute
// resolution. conflux reads and writes them in UTC; the window overlaps
// the previous one (see Overlap) because CQL evaluates dates in the
// calling user's time zone, which the API does not tell.
func CQLTime(t time.Time) string { return t.UTC().Format("2006-01-02 15:04") }

// spaceClause names a space by key.
func spaceClause(key string) string { return "space = " + confluence.QuoteCQL(key) }

// contentCQL finds a space's pages, blog posts and folders (the bulk
// pass).
func contentCQL(key string) string { return spaceClause(key) + " and type in (page, blogpost, folder)" }

// windowCQL finds what of the given types changed in a space since t.
func windowCQL(key, types string, since time.Time) string {
	return fmt.Sprintf(`%s and type in (%s) and lastmodified >= "%s" order by lastmodified asc`,
		spaceClause(key), types, CQLTime(since))
}

// filteredCQL adds the configured filter (rules.cql, checked at start to
// name documented fields only) to one of the queries above.
func filteredCQL(cql, filter string) string { return cql + " and (" + filter + ")" }

var numericID = regexp.MustCompile(`^[0-9]+$`)

// idsCQL finds items by id (numeric ids bare, anything else quoted).
func idsCQL(ids []string) string {
	quoted := make([]string, 0, len(ids))
	for _, id := range ids {
		if numericID.MatchString(id) {
			quoted = append(quoted, id)
		} else {
			quoted = append(quoted, confluence.QuoteCQL(id))
		}
	}
	return "id in (" + strings.Join(quoted, ", ") + ")"
}
