package confluence_test

import (
	"errors"
	"testing"
	"time"

	"github.com/conflux-dev/conflux/pkg/confluence"
	"github.com/conflux-dev/conflux/pkg/confluencesim"
)

// TestCheckPermission asks the simulator about a restricted page, its
// attachment, as an admin and as a non-admin.
func TestCheckPermission(t *testing.T) {
	tn := confluencesim.Generate(7, confluencesim.Size{Spaces: 2, PagesPerSpace: 10, Users: 6, RestrictedShare: 0.5, AttachmentsPerPage: 1})
	var restricted *confluencesim.Content
	for _, c := range tn.Content {
		if c.Type == "page" && len(c.Restrictions.ReadUsers) > 0 {
			restricted = c
			break
		}
	}
	if restricted == nil {
		t.Fatal("the tenant has no page restricted to users")
	}
	var att string
	for _, a := range tn.Attachments {
		if a.ContainerID == restricted.ID {
			att = a.ID
		}
	}
	allowed := restricted.Restrictions.ReadUsers[0]
	var outsider string
	for _, u := range tn.Users {
		if u.Active && u.AccountID != allowed && u.AccountID != tn.Crawlers[0] && !inAnyReadGroup(tn, restricted, u.AccountID) {
			outsider = u.AccountID
		}
	}
	sim := startSim(t, tn, confluencesim.Options{})
	c := newClient(t, confluence.Options{Credentials: confluence.BasicAuth(sim.URL(), crawlerEmail, crawlerToken)})
	ctx := timeout(t, time.Minute)
	for _, id := range []string{restricted.ID, att} {
		if id == "" {
			continue
		}
		got, err := c.CheckPermission(ctx, id, confluence.Subject{Type: confluence.SubjectUser, Identifier: outsider}, "read")
		if err != nil {
			t.Fatal(err)
		}
		if got.HasPermission || len(got.Errors) == 0 {
			t.Errorf("%s: an outsider may read: %+v", id, got)
		}
	}

	tn.Admins = nil
	plain := startSim(t, tn, confluencesim.Options{})
	pc := newClient(t, confluence.Options{Credentials: confluence.BasicAuth(plain.URL(), crawlerEmail, crawlerToken)})
	_, err := pc.CheckPermission(ctx, restricted.ID, confluence.Subject{Type: confluence.SubjectUser, Identifier: allowed}, "read")
	if !confluence.IsForbidden(err) || !errors.Is(err, confluence.ErrUnauthorized) {
		t.Errorf("a non-admin asking about another user: %v, want a 403", err)
	}
	self, err := pc.CheckPermission(ctx, restricted.ID, confluence.Subject{Type: confluence.SubjectUser, Identifier: tn.Crawlers[0]}, "read")
	if err != nil || !self.HasPermission {
		t.Errorf("the crawler asking about itself: %+v, %v", self, err)
	}
	_, err = pc.CheckPermission(ctx, "999999999", confluence.Subject{Type: confluence.SubjectUser, Identifier: tn.Crawlers[0]}, "read")
	if !errors.Is(err, confluence.ErrNotFound) {
		t.Errorf("unknown content: %v, want not found", err)
	}
}

func inAnyReadGroup(tn *confluencesim.Tenant, c *confluencesim.Content, accountID string) bool {
	for _, g := range tn.Groups {
		for _, rg := range c.Restrictions.ReadGroups {
			if rg != g.ID {
				continue
			}
			for _, m := range g.Members {
				if m == accountID {
					return true
				}
			}
		}
	}
	return false
}
