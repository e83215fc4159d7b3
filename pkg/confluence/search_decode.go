package confluence

import (
	"encoding/json"
	"time"
)

// v1 timestamps (search hits) are informational; they are read leniently
// so that an unexpected format costs the time, not the whole page.
var v1TimeLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05.000-0700",
	"2006-01-02T15:04:05-0700",
	"2006-01-02T15:04:05",
	"2006-01-02",
}

// lenientTime parses s with the first layout that fits; zero otherwise.
func lenientTime(s string) time.Time {
	for _, l := range v1TimeLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t
		}
	}
	return time.Time{}
}

// UnmarshalJSON reads a search hit, its lastModified leniently.
func (r *SearchResult) UnmarshalJSON(b []byte) error {
	type plain SearchResult
	var aux struct {
		plain
		LastModified string `json:"lastModified"`
	}
	if err := json.Unmarshal(b, &aux); err != nil {
		return err
	}
	*r = SearchResult(aux.plain)
	r.LastModified = lenientTime(aux.LastModified)
	return nil
}

// UnmarshalJSON reads the content of a search hit, its version time
// leniently.
func (c *SearchContent) UnmarshalJSON(b []byte) error {
	type plain SearchContent
	var aux struct {
		plain
		Version struct {
			Number int    `json:"number"`
			When   string `json:"when"`
		} `json:"version"`
	}
	if err := json.Unmarshal(b, &aux); err != nil {
		return err
	}
	*c = SearchContent(aux.plain)
	c.Version.Number, c.Version.When = aux.Version.Number, lenientTime(aux.Version.When)
	return nil
}
