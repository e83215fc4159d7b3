package config

import (
	"errors"
	"fmt"
	"path"
	"regexp"
	"slices"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// Rules choose what of the crawled spaces is indexed. Every rule is applied
// to the listings and CQL searches a crawl already makes: no rule costs a
// call per item. A document a rule excludes is not published, so the next
// full crawl deletes it from every sink, through the same guard as any
// deletion (sink.max_delete_share). The zero value of each key means "no
// rule": with every key at its default the crawl indexes what it always did.
type Rules struct {
	// SpaceTypes lists the space types crawled: global, collaboration,
	// knowledge_base, personal, system, onboarding, xflow_sample_space (the
	// v2 space types). Empty means every type. Default empty.
	SpaceTypes []string `yaml:"space_types"`
	// SpaceStatus lists the space statuses crawled: current, archived.
	// Empty means current, plus archived when content.include_archived is
	// set. Default empty.
	SpaceStatus []string `yaml:"space_status"`
	// PageTrees lists page (or folder) ids; when set, only these pages,
	// every page and folder below them (through folders) and what hangs off
	// them (comments, attachments) are indexed among pages and folders.
	// Blog posts are not in any tree: leave blogpost out of types to drop
	// them. Default empty (every page).
	PageTrees []string `yaml:"page_trees"`
	// Labels select pages, blog posts and folders by their own labels
	// (not their ancestors'); comments and attachments follow their page
	// or blog post.
	Labels LabelRules `yaml:"labels"`
	// Types lists the content types indexed: page, blogpost, comment,
	// attachment, at least one of page and blogpost. A comment or attachment
	// is indexed only when its page or blog post is (by type, page_trees,
	// labels and cql; not by date). Default all four.
	Types []string `yaml:"types"`
	// FoldersAsDocuments indexes folders as documents. Folders are always
	// read (they are on the paths of pages and their restrictions apply).
	// Default true.
	FoldersAsDocuments bool `yaml:"folders_as_documents"`
	// ModifiedAfter indexes only items last modified on or after this
	// date (YYYY-MM-DD, or an RFC 3339 time), by each item's own version
	// date. Default empty (no limit).
	ModifiedAfter Date `yaml:"modified_after"`
	// ModifiedWithin indexes only items last modified within this
	// duration before the crawl (720h, 30d); with modified_after, the
	// later of the two applies. 0 means no limit. Default 0.
	ModifiedWithin Duration `yaml:"modified_within"`
	// Attachments select attachments by media type; their size limit is
	// content.attachments.max_size.
	Attachments AttachmentRules `yaml:"attachments"`
	// CQL is an extra condition, in CQL, that pages, blog posts and
	// folders must meet: the crawl adds "and (<cql>)" to a search of each
	// space. Only the fields Atlassian documents for Cloud are accepted,
	// and no "order by". Default "" (none).
	CQL string `yaml:"cql"`
}

// LabelRules select items by label.
type LabelRules struct {
	// Include lists labels; when set, an item is indexed only when it
	// carries one of them. Default empty.
	Include []string `yaml:"include"`
	// Exclude lists labels; an item carrying one is not indexed, even
	// when included. Default empty.
	Exclude []string `yaml:"exclude"`
}

// AttachmentRules select attachments.
type AttachmentRules struct {
	// MediaTypes lists media types or patterns (application/pdf,
	// image/*); when set, only attachments of a matching type are indexed.
	// Default empty (every type).
	MediaTypes []string `yaml:"media_types"`
}

// Content types of rules.types.
const (
	TypePage       = "page"
	TypeBlogPost   = "blogpost"
	TypeComment    = "comment"
	TypeAttachment = "attachment"
)

// SpaceTypes are the space types of the v2 space list.
var SpaceTypes = []string{"global", "collaboration", "knowledge_base", "personal", "system", "onboarding", "xflow_sample_space"}

// SpaceStatuses are the space statuses of the v2 space list.
var SpaceStatuses = []string{"current", "archived"}

// ContentTypes are the values of rules.types, all of them the default.
var ContentTypes = []string{TypePage, TypeBlogPost, TypeComment, TypeAttachment}

// defaultRules are the defaults of Rules: everything indexed.
func defaultRules() Rules {
	return Rules{Types: slices.Clone(ContentTypes), FoldersAsDocuments: true}
}

// Active reports whether any rule narrows what the crawl indexes.
func (r Rules) Active() bool {
	return len(r.SpaceTypes) > 0 || len(r.PageTrees) > 0 || len(r.Labels.Include) > 0 ||
		len(r.Labels.Exclude) > 0 || !r.AllTypes() || !r.FoldersAsDocuments || !r.ModifiedAfter.IsZero() ||
		r.ModifiedWithin > 0 || len(r.Attachments.MediaTypes) > 0 || strings.TrimSpace(r.CQL) != ""
}

// AllTypes reports whether every content type is indexed.
func (r Rules) AllTypes() bool {
	for _, t := range ContentTypes {
		if !r.HasType(t) {
			return false
		}
	}
	return true
}

// HasType reports whether rules.types lists t.
func (r Rules) HasType(t string) bool { return slices.Contains(r.Types, t) }

// Since is the earliest last-modified time an item may have at the given
// crawl time, zero when no date rule is set.
func (r Rules) Since(now time.Time) time.Time {
	t := r.ModifiedAfter.Time()
	if r.ModifiedWithin > 0 {
		if w := now.Add(-r.ModifiedWithin.Std()); w.After(t) {
			t = w
		}
	}
	return t
}

// MediaTypeAllowed reports whether an attachment of this media type is
// indexed.
func (r Rules) MediaTypeAllowed(mediaType string) bool {
	if len(r.Attachments.MediaTypes) == 0 {
		return true
	}
	mt := strings.ToLower(strings.TrimSpace(mediaType))
	if i := strings.IndexByte(mt, ';'); i >= 0 {
		mt = strings.TrimSpace(mt[:i])
	}
	for _, p := range r.Attachments.MediaTypes {
		if ok, _ := path.Match(strings.ToLower(p), mt); ok {
			return true
		}
	}
	return false
}

// SpaceStatusesCrawled are the space statuses a crawl lists: rules.space_status,
// or current (and archived with content.include_archived).
func (c Config) SpaceStatusesCrawled() []string {
	if len(c.Rules.SpaceStatus) > 0 {
		return slices.Clone(c.Rules.SpaceStatus)
	}
	if c.Content.IncludeArchived {
		return []string{"current", "archived"}
	}
	return []string{"current"}
}

// SpaceTypeAllowed reports whether a space of this type is crawled.
func (r Rules) SpaceTypeAllowed(typ string) bool {
	return len(r.SpaceTypes) == 0 || slices.Contains(r.SpaceTypes, strings.ToLower(typ))
}

var (
	numericID = regexp.MustCompile(`^[0-9]{1,19}$`)
	mediaType = regexp.MustCompile(`^(\*/\*|[a-z0-9][a-z0-9!#$&^_.+-]*/(\*|[a-z0-9][a-z0-9!#$&^_.+-]*))$`)
)

func (r Rules) validate(v *validator) {
	v.each("rules.space_types", r.SpaceTypes, func(s string) bool { return slices.Contains(SpaceTypes, s) },
		"is not one of "+strings.Join(SpaceTypes, ", "))
	v.each("rules.space_status", r.SpaceStatus, func(s string) bool { return slices.Contains(SpaceStatuses, s) },
		"is not one of "+strings.Join(SpaceStatuses, ", "))
	v.each("rules.page_trees", r.PageTrees, numericID.MatchString, "is not a page id (digits)")
	isLabel := func(s string) bool { return s != "" && !strings.ContainsAny(s, " \t\n,") }
	v.each("rules.labels.include", r.Labels.Include, isLabel, "is not a label")
	v.each("rules.labels.exclude", r.Labels.Exclude, isLabel, "is not a label")
	for _, l := range r.Labels.Include {
		if slices.Contains(r.Labels.Exclude, l) {
			v.add("rules.labels.exclude", "%q is also in rules.labels.include", l)
		}
	}
	v.each("rules.types", r.Types, func(s string) bool { return slices.Contains(ContentTypes, s) },
		"is not one of "+strings.Join(ContentTypes, ", "))
	if len(r.Types) == 0 {
		v.add("rules.types", "is empty: nothing would be indexed; list some of %s", strings.Join(ContentTypes, ", "))
	} else if !r.HasType(TypePage) && !r.HasType(TypeBlogPost) {
		v.add("rules.types", "%v has neither page nor blogpost: comments and attachments are indexed with their page or blog post", r.Types)
	}
	if r.ModifiedWithin < 0 {
		v.add("rules.modified_within", "%s is negative", r.ModifiedWithin)
	}
	if !r.ModifiedAfter.IsZero() && r.ModifiedAfter.Time().After(time.Now()) {
		v.add("rules.modified_after", "%s is in the future: nothing would be indexed", r.ModifiedAfter)
	}
	v.each("rules.attachments.media_types", r.Attachments.MediaTypes,
		func(s string) bool { return mediaType.MatchString(strings.ToLower(s)) }, "is not a media type like application/pdf or image/*")
	if strings.TrimSpace(r.CQL) != "" {
		if err := CheckCQLFilter(r.CQL); err != nil {
			v.add("rules.cql", "%v", err)
		}
	}
}

// each checks every value of a list.
func (v *validator) each(key string, values []string, ok func(string) bool, msg string) {
	for _, s := range values {
		if !ok(s) {
			v.add(key, "%q %s", s, msg)
		}
	}
}

// Date is a calendar date or a time, written YYYY-MM-DD (midnight UTC) or
// as RFC 3339 (2024-01-01T09:00:00Z). The zero value is "no date".
type Date int64

// ParseDate parses "2024-01-01" or an RFC 3339 time; "" is the zero Date.
func ParseDate(s string) (Date, error) {
	t := strings.TrimSpace(s)
	if t == "" {
		return 0, nil
	}
	for _, layout := range []string{"2006-01-02", time.RFC3339} {
		if d, err := time.Parse(layout, t); err == nil {
			return Date(d.Unix()), nil
		}
	}
	return 0, fmt.Errorf("%q is not a date like 2024-01-01 or 2024-01-01T09:00:00Z", s)
}

// IsZero reports whether no date is set.
func (d Date) IsZero() bool { return d == 0 }

// Time is the date as a UTC time (the zero time when not set).
func (d Date) Time() time.Time {
	if d == 0 {
		return time.Time{}
	}
	return time.Unix(int64(d), 0).UTC()
}

// String writes the date as YYYY-MM-DD at midnight, RFC 3339 otherwise, ""
// when not set.
func (d Date) String() string {
	t := d.Time()
	switch {
	case d == 0:
		return ""
	case t.Equal(t.Truncate(24 * time.Hour)):
		return t.Format("2006-01-02")
	}
	return t.Format(time.RFC3339)
}

// UnmarshalYAML reads a date from a YAML scalar.
func (d *Date) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.ScalarNode {
		return errors.New("want a date like 2024-01-01")
	}
	v, err := ParseDate(n.Value)
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// UnmarshalText reads a date such as "2024-01-01".
func (d *Date) UnmarshalText(text []byte) error {
	v, err := ParseDate(string(text))
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// MarshalText writes the date as String does.
func (d Date) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// MarshalYAML writes the date as String does.
func (d Date) MarshalYAML() (any, error) { return d.String(), nil }
