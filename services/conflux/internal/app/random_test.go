package app_test

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/conflux-dev/conflux/pkg/confluencesim"
	"github.com/conflux-dev/conflux/proto"
)

// Random content changes followed by an incremental crawl, random
// permission changes (restrictions, memberships, moves) followed by a
// permission-only sync, then removals followed by a full crawl: after
// each, the sink equals the tenant field by field and ACL by ACL.
func TestRandomChangesAcrossCrawlKinds(t *testing.T) {
	for seed := int64(200); seed < 203; seed++ {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(uint64(seed), 1))
			size := confluencesim.Size{Spaces: 4, PagesPerSpace: 30, Users: 12, Groups: 4, MaxDepth: 5, RestrictedShare: 0.3}
			h := start(t, confluencesim.Generate(seed, size), confluencesim.Options{}, nil)
			requireOK(t, h.crawl(proto.CrawlFull, false))
			pick := func() *confluencesim.Content {
				p := currentOf(h.sim.Tenant(), "page")
				return p[rng.IntN(len(p))]
			}
			// content changes → incremental
			for i := 0; i < 4; i++ {
				p := pick()
				switch rng.IntN(4) {
				case 0:
					_ = h.sim.EditPage(p.ID, fmt.Sprintf("<p>edit %d</p>", i))
				case 1:
					_, _ = h.sim.AddPage(confluencesim.Content{SpaceID: p.SpaceID, ParentID: p.ID, Title: fmt.Sprint("new ", i), Body: "<p>x</p>"})
				case 2:
					_, _ = h.sim.AddPage(confluencesim.Content{Type: "comment", CommentKind: "inline", ContainerID: p.ID, Title: "c", Body: "<p>c</p>"})
				case 3:
					_, _ = h.sim.AddAttachment(confluencesim.Attachment{ContainerID: p.ID, Title: fmt.Sprint("f", i, ".txt"), Data: []byte("data")})
				}
			}
			requireOK(t, h.crawl(proto.CrawlIncremental, false))
			checkSink(t, h, h.sim.Tenant())
			// permission changes → permissions
			tn := h.sim.Tenant()
			for i := 0; i < 4; i++ {
				p := pick()
				switch rng.IntN(3) {
				case 0:
					u := tn.Users[rng.IntN(len(tn.Users))]
					_ = h.sim.SetReadRestriction(p.ID, []string{u.AccountID}, nil)
				case 1:
					g := tn.Groups[rng.IntN(len(tn.Groups))]
					_ = h.sim.SetGroupMembers(g.ID, []string{tn.Users[rng.IntN(len(tn.Users))].AccountID})
				case 2:
					q := pick()
					if q.SpaceID == p.SpaceID {
						_ = h.sim.MovePage(p.ID, q.ID)
					}
				}
			}
			requireOK(t, h.crawl(proto.CrawlPermissions, false))
			checkSink(t, h, h.sim.Tenant())
			// removals → full
			for i := 0; i < 2; i++ {
				p := pick()
				if rng.IntN(2) == 0 {
					_ = h.sim.TrashContent(p.ID)
				} else {
					_ = h.sim.DeleteContent(p.ID)
				}
			}
			res := h.crawl(proto.CrawlFull, true)
			requireOK(t, res)
			checkSink(t, h, h.sim.Tenant())
		})
	}
}
