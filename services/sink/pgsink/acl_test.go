package pgsink_test

import (
	"slices"
	"testing"

	"github.com/conflux-dev/conflux/proto"
	"github.com/conflux-dev/conflux/services/sink/pgsink"
	"github.com/conflux-dev/conflux/services/sink/sinkport"
	"github.com/conflux-dev/conflux/services/sink/sinkport/sinkporttest"
)

// TestACLQuery writes documents readable in every way an ACL allows
// (public, by email, by account id only, by group, found by email or by
// account id) and checks that the documented query gives each user exactly
// the documents expected, and that search applies the same filter.
func TestACLQuery(t *testing.T) {
	s := open(t)
	defer s.Close()
	ctx := t.Context()

	groups := []proto.Group{
		// Ann is listed with her email; Bob's email is hidden.
		{ID: "g-eng", Name: "eng", Members: []proto.GroupMember{
			{AccountID: "acc-ann", Email: "Ann@Acme.com"}, {AccountID: "acc-bob"}}},
		// Dan is known here by email and account id: the groups table
		// is where `--as dan@acme.com` learns his account id.
		{ID: "g-ops", Name: "ops", Members: []proto.GroupMember{{AccountID: "acc-dan", Email: "dan@acme.com"}}},
		{ID: "g-empty", Name: "nobody", Members: []proto.GroupMember{}},
	}
	if err := s.WriteGroups(ctx, groups); err != nil {
		t.Fatal(err)
	}
	doc := func(id string, acl proto.ACL) proto.Document {
		d := sinkporttest.Doc(id, 1)
		d.Title, d.BodyText, d.ACL = "Runbook "+id, "How to restart the deployment safely. Document "+id, acl
		return d
	}
	docs := []proto.Document{
		doc("public", proto.ACL{Public: true}),
		doc("ann-by-email", proto.ACL{Users: []string{"ann@acme.com"}, AccountIDs: []string{"acc-ann"}}),
		doc("carl-by-email-only", proto.ACL{Users: []string{"carl@acme.com"}}),
		doc("bob-by-account", proto.ACL{AccountIDs: []string{"acc-bob"}}),
		doc("dan-by-account", proto.ACL{AccountIDs: []string{"acc-dan"}}),
		doc("eng-group", proto.ACL{Groups: []string{"g-eng"}, GroupNames: []string{"eng"}}),
		doc("ops-group", proto.ACL{Groups: []string{"g-ops"}, GroupNames: []string{"ops"}}),
		doc("empty-group", proto.ACL{Groups: []string{"g-empty"}, GroupNames: []string{"nobody"}}),
		doc("nobody", proto.ACL{}),
		doc("mixed", proto.ACL{Users: []string{"carl@acme.com"}, AccountIDs: []string{"acc-carl"}, Groups: []string{"g-ops"}}),
	}
	var items []sinkport.Item
	for _, d := range docs {
		items = append(items, sinkport.Item{Doc: d})
	}
	if err := s.Upsert(ctx, items); err != nil {
		t.Fatal(err)
	}

	for _, tc := range []struct {
		name string
		who  pgsink.Principal
		want []string
	}{
		{"ann by email (any case), in eng by email", pgsink.Principal{Email: "ANN@acme.com"},
			[]string{"ann-by-email", "eng-group", "public"}},
		{"bob by email alone: no account id known", pgsink.Principal{Email: "bob@acme.com"},
			[]string{"public"}},
		{"bob with his account id, in eng by account id", pgsink.Principal{Email: "bob@acme.com", AccountIDs: []string{"acc-bob"}},
			[]string{"bob-by-account", "eng-group", "public"}},
		{"carl by email, in no group", pgsink.Principal{Email: "carl@acme.com"},
			[]string{"carl-by-email-only", "mixed", "public"}},
		{"dan: account id from the groups table", pgsink.Principal{Email: "dan@acme.com"},
			[]string{"dan-by-account", "mixed", "ops-group", "public"}},
		{"a stranger", pgsink.Principal{Email: "eve@evil.com"}, []string{"public"}},
		{"a stranger claiming a group's name as account", pgsink.Principal{Email: "eve@evil.com", AccountIDs: []string{"g-eng"}},
			[]string{"public"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := s.Readable(ctx, tc.who)
			if err != nil {
				t.Fatal(err)
			}
			want := slices.Sorted(slices.Values(tc.want))
			if !slices.Equal(got, want) {
				t.Fatalf("readable: got %v, want %v", got, want)
			}
			hits, err := s.Search(ctx, tc.who, `restart "deployment"`, 100)
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, h := range hits {
				ids = append(ids, h.ID)
				if h.Title != "Runbook "+h.ID || h.SpaceKey != "ENG" || h.URL == "" || h.Snippet == "" {
					t.Errorf("hit %+v", h)
				}
			}
			slices.Sort(ids)
			if !slices.Equal(ids, want) {
				t.Fatalf("search: got %v, want %v", ids, want)
			}
		})
	}

	// Search ranks a title match first and excludes with -word.
	hits, err := s.Search(ctx, pgsink.Principal{Email: "dan@acme.com"}, "ops-group -nothing", 10)
	if err != nil || len(hits) == 0 || hits[0].ID != "ops-group" {
		t.Fatalf("title match: %+v %v", hits, err)
	}
	if hits, err := s.Search(ctx, pgsink.Principal{Email: "dan@acme.com"}, "restart -deployment", 10); err != nil || len(hits) != 0 {
		t.Fatalf("excluded word: %+v %v", hits, err)
	}
	if _, err := s.Search(ctx, pgsink.Principal{}, "restart", 10); err == nil {
		t.Fatal("a search without a user ran")
	}
}
