package audit

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/conflux-dev/conflux/proto"
)

// tree builds a corpus: a space whose top-level pages allow a, b and c;
// page 3 restricted to a and b under page 2, page 4 restricted to a under
// page 3, a comment on page 4, and a public page in another space.
func tree() *corpus {
	c := &corpus{byID: map[string]*entry{}, baseline: map[string]string{}, csv: map[string]bool{proto.Token("b"): true}}
	doc := func(id, space, parent, container string, public bool, ids ...string) *proto.DocumentReady {
		d := proto.Document{ID: id, Type: proto.TypePage, SpaceID: space, ACL: proto.ACL{Public: public, AccountIDs: ids}}
		if parent != "" {
			d.Ancestors = []string{parent}
		}
		if container != "" {
			d.Type, d.ContainerID = proto.TypeComment, &container
		}
		return &proto.DocumentReady{Document: d}
	}
	pool := map[string]bool{}
	for _, d := range []*proto.DocumentReady{
		doc("1", "S", "", "", false, "a", "b", "c"),
		doc("2", "S", "1", "", false, "a", "b", "c"),
		doc("3", "S", "2", "", false, "a", "b"),
		doc("4", "S", "3", "", false, "a"),
		doc("5", "S", "", "4", false, "a"),
		doc("6", "S", "", "", false, "a", "b", "c"),
		doc("7", "P", "", "", true),
	} {
		c.add(d, pool)
	}
	c.finish(pool)
	return c
}

func TestDepthsAndStrata(t *testing.T) {
	c := tree()
	for id, want := range map[string]int{"1": 0, "2": 0, "3": 1, "4": 2, "5": 2, "6": 0, "7": 0} {
		if got := c.byID[id].depth; got != want {
			t.Errorf("depth of %s = %d, want %d", id, got, want)
		}
	}
	for kind, want := range map[string][]string{
		SampleRestricted: {"3", "4"}, SampleNested: {"4"}, SampleAttached: {"5"}, SamplePublic: {"7"},
		SampleCSV: {"1", "2", "3", "6"},
	} {
		var got []string
		for _, e := range c.entries {
			if c.stratum(kind, e) {
				got = append(got, e.id)
			}
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s: %v, want %v", kind, got, want)
		}
	}
}

func TestSampleIsRepeatableAndCoversStrata(t *testing.T) {
	c := tree()
	draw := func(seed uint64) []string {
		var ids []string
		for _, p := range c.sample(5, rand.New(rand.NewPCG(seed, 1))) {
			ids = append(ids, p.kind+":"+p.e.id)
		}
		return ids
	}
	first := draw(3)
	if !slices.Equal(first, draw(3)) {
		t.Errorf("the same seed drew %v and %v", first, draw(3))
	}
	if len(first) != 5 || first[0][:len(SampleRestricted)] != SampleRestricted {
		t.Errorf("sample %v: want five documents, a restricted one first", first)
	}
	if all := c.sample(100, rand.New(rand.NewPCG(1, 1))); len(all) != len(c.entries) {
		t.Errorf("a sample larger than the site has %d documents, want all %d", len(all), len(c.entries))
	}
}

func TestSubjectsPutLikelyErrorsFirst(t *testing.T) {
	c := tree()
	c.pool = []string{"a", "b", "c", "x"}
	v := view{direct: []string{"a", "x"}, allowed: map[string]bool{"a": true, "x": true}, baseline: []string{"a", "b", "c"}}
	got := c.subjects(v, 4, rand.New(rand.NewPCG(1, 1)))
	if len(got) < 3 || got[0].accountID != "x" || got[0].kind != SubjectDirect || !got[0].expect {
		t.Fatalf("subjects %+v: want x (allowed, not a space viewer) first", got)
	}
	if got[1].kind != SubjectOutside || got[1].expect || (got[1].accountID != "b" && got[1].accountID != "c") {
		t.Errorf("second subject %+v: want a space viewer the document denies", got[1])
	}
	pub := c.subjects(view{public: true}, 4, rand.New(rand.NewPCG(1, 1)))
	if len(pub) != 2 || pub[0].accountID != "anonymous" || !pub[1].expect {
		t.Errorf("public subjects %+v", pub)
	}
}
