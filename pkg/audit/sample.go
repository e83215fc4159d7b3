package audit

import (
	"math/rand/v2"
	"slices"

	"github.com/conflux-dev/conflux/pkg/confluence"
	"github.com/conflux-dev/conflux/proto"
)

// Why a document is sampled: where ACL errors hide, then a uniform share.
const (
	SampleRestricted = "restricted"         // a page, blog post or folder with a restriction on its path
	SampleNested     = "nested"             // two or more restriction levels on its path
	SampleAttached   = "attached"           // a comment or attachment of a restricted page or blog post
	SampleGroups     = "groups"             // the ACL lists groups: accounts reached only through a group
	SampleCSV        = "csv_email"          // an allowed account's email came from the users CSV bucket
	SamplePublic     = "public"             // readable by anonymous users
	SampleUniform    = "uniform"            // any document
	subjectAnonymous = confluence.Anonymous // the anonymous user's identifier
)

// Why an account is checked on a document.
const (
	SubjectDirect    = "direct"    // listed in acl.account_ids
	SubjectViaGroup  = "via_group" // allowed only as a member of a listed group
	SubjectCSV       = "csv_email" // allowed, with an email from the users CSV
	SubjectOutside   = "outside"   // not allowed (a space viewer when one exists)
	SubjectAnonymous = "anonymous" // the anonymous user, on a public document
	SubjectSignedIn  = "signed_in" // any account, on a public document
)

var (
	sampleOrder  = []string{SampleRestricted, SampleNested, SampleAttached, SampleGroups, SampleCSV, SamplePublic, SampleUniform}
	subjectOrder = []string{SubjectDirect, SubjectViaGroup, SubjectCSV, SubjectOutside, SubjectAnonymous, SubjectSignedIn}
)

// pick is a sampled document and why.
type pick struct {
	e    *entry
	kind string
}

// stratum reports whether an entry belongs to a kind of sample.
func (c *corpus) stratum(kind string, e *entry) bool {
	inherits := e.typ == proto.TypeComment || e.typ == proto.TypeAttachment
	switch kind {
	case SampleRestricted:
		return !inherits && e.depth >= 1
	case SampleNested:
		return !inherits && e.depth >= 2
	case SampleAttached:
		return inherits && e.depth >= 1
	case SampleGroups:
		return e.groups
	case SampleCSV:
		return e.csv
	case SamplePublic:
		return e.public
	}
	return true
}

// sample draws n documents: in turn one from each kind (sampleOrder), at
// random within the kind, never the same document twice, until n are
// drawn or none is left. The same corpus and rng give the same sample.
func (c *corpus) sample(n int, rng *rand.Rand) []pick {
	pools := map[string][]*entry{}
	for _, k := range sampleOrder {
		for _, e := range c.entries {
			if c.stratum(k, e) {
				pools[k] = append(pools[k], e)
			}
		}
	}
	taken := map[string]bool{}
	var out []pick
	for len(out) < n {
		progress := false
		for _, k := range sampleOrder {
			if len(out) == n {
				break
			}
			if e := draw(pools, k, taken, rng); e != nil {
				out = append(out, pick{e: e, kind: k})
				progress = true
			}
		}
		if !progress {
			break
		}
	}
	return out
}

// draw takes a random entry of a kind that was not taken yet.
func draw(pools map[string][]*entry, kind string, taken map[string]bool, rng *rand.Rand) *entry {
	p := pools[kind]
	for len(p) > 0 {
		i := rng.IntN(len(p))
		e := p[i]
		p[i] = p[len(p)-1]
		p = p[:len(p)-1]
		if !taken[e.id] {
			taken[e.id] = true
			pools[kind] = p
			return e
		}
	}
	pools[kind] = p
	return nil
}

// subject is one account to check on a document.
type subject struct {
	accountID string // or confluence's anonymous identifier
	kind      string
	expect    bool // what the written ACL says
}

// view is a document's written ACL, expanded.
type view struct {
	public   bool
	direct   []string        // acl.account_ids
	allowed  map[string]bool // account_ids ∪ members of listed groups
	baseline []string        // the accounts the space's baseline ACL allows (sorted); nil when public
}

// subjects chooses up to max accounts to check on a document, the likeliest
// errors first: an allowed account the space itself would not allow (a
// restriction can only narrow the space), an account allowed only through a
// group, a space viewer the document does not allow, an account with an
// imported email; on a public document, the anonymous user and an account.
func (c *corpus) subjects(v view, max int, rng *rand.Rand) []subject {
	var out []subject
	add := func(id, kind string, expect bool) {
		if id != "" && len(out) < max && !slices.ContainsFunc(out, func(s subject) bool { return s.accountID == id }) {
			out = append(out, subject{accountID: id, kind: kind, expect: expect})
		}
	}
	if v.public {
		add(subjectAnonymous, SubjectAnonymous, true)
		add(one(c.pool, rng), SubjectSignedIn, true)
		return out
	}
	inBaseline := func(id string) bool { _, ok := slices.BinarySearch(v.baseline, id); return ok }
	var beyond, viaGroup, csv, outside []string
	for _, id := range v.direct {
		if v.baseline != nil && !inBaseline(id) {
			beyond = append(beyond, id)
		}
	}
	for id := range v.allowed {
		if !slices.Contains(v.direct, id) {
			viaGroup = append(viaGroup, id)
		}
		if c.csv[proto.Token(id)] {
			csv = append(csv, id)
		}
	}
	for _, id := range v.baseline {
		if !v.allowed[id] {
			outside = append(outside, id)
		}
	}
	if len(outside) == 0 {
		outside = c.notAllowed(v.allowed, rng)
	}
	add(one(beyond, rng), SubjectDirect, true)
	add(one(viaGroup, rng), SubjectViaGroup, true)
	add(one(outside, rng), SubjectOutside, false)
	add(one(v.direct, rng), SubjectDirect, true)
	add(one(csv, rng), SubjectCSV, true)
	return out
}

// notAllowed returns a few pool accounts the document does not allow.
func (c *corpus) notAllowed(allowed map[string]bool, rng *rand.Rand) []string {
	var out []string
	for range 8 {
		if id := one(c.pool, rng); id != "" && !allowed[id] {
			out = append(out, id)
		}
	}
	return out
}

// one returns a random element of ids (sorted first, so that the choice
// depends on the rng alone), or "".
func one(ids []string, rng *rand.Rand) string {
	if len(ids) == 0 {
		return ""
	}
	s := slices.Clone(ids)
	slices.Sort(s)
	return s[rng.IntN(len(s))]
}
