package permissions_test

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/conflux-dev/conflux/pkg/confluencesim"
	"github.com/conflux-dev/conflux/proto"
	"github.com/conflux-dev/conflux/services/permissions"
)

// TestMentionNames: a document names the accounts its body mentions; an
// account the crawl already resolved costs no call, accounts not seen yet
// cost one users-bulk call for the document, and an account Confluence
// does not know is left unnamed.
func TestMentionNames(t *testing.T) {
	tn := confluencesim.Constructs()
	var alice, outsider *confluencesim.User
	for _, u := range tn.Users {
		switch u.DisplayName {
		case "Alice Example":
			alice = u
		}
	}
	outsider = &confluencesim.User{AccountID: "557058:outsider", DisplayName: "Olga Outsider", Email: "olga@example.com",
		AccountType: "atlassian", Active: true} // in no group and no grant: not seen by the crawl otherwise
	tn.Users = append(tn.Users, outsider)
	mention := func(id string) string { return `<ac:link><ri:user ri:account-id="` + id + `" /></ac:link>` }
	run := func(body string) (map[string]*proto.DocumentReady, string, int) {
		e := newEnv(t, tn)
		e.startReplica(permissions.WithConcurrency(1)) // one item at a time: concurrent look-ups of the same accounts would blur the count
		items := e.itemsOf(tn, "crawl-1", rand.New(rand.NewPCG(1, 2)))
		target := ""
		for _, it := range items {
			if m, ok := it.msg.(*proto.ContentFetched); ok && m.Title == "Team home" {
				m.Body, target = body, it.id
			}
		}
		e.publish(items, "crawl-1")
		docs := e.waitDocs(items, func(*proto.DocumentReady) bool { return true })
		bulk := 0
		for p, n := range e.calls.byPath {
			if strings.HasSuffix(p, "/users-bulk") {
				bulk += n
			}
		}
		return docs, target, bulk
	}
	_, _, baseline := run("<p>Welcome.</p>")
	docs, target, bulk := run("<p>" + mention(alice.AccountID) + " and " + mention(outsider.AccountID) + " and " + mention("557058:gone") + "</p>")
	names := docs[target].UserNames
	if names[alice.AccountID] != "Alice Example" || names[outsider.AccountID] != "Olga Outsider" || len(names) != 2 {
		t.Fatalf("user names = %v", names)
	}
	// Alice is a member of the group the space grants: no call; the
	// outsider and the unknown account: one call, for the document.
	if bulk != baseline+1 {
		t.Errorf("%d users-bulk calls, %d without the mentions: want one more", bulk, baseline)
	}
	for id, d := range docs {
		if id != target && !strings.Contains(d.Document.Body, "ri:user") && len(d.UserNames) != 0 {
			t.Errorf("document %s without mentions carries names %v", id, d.UserNames)
		}
	}
}
