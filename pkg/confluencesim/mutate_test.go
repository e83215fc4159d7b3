package confluencesim

import (
	"errors"
	"slices"
	"testing"
)

func TestMutations(t *testing.T) {
	tn := Demo()
	s := start(t, tn, Options{})
	eng := spaceByKey(t, tn, "ENG")
	deploy := byTitle(t, tn, "Deploy runbook")
	bob := basic("bob@example.com", "bob-token")
	page := func(id, auth string) resp {
		return get(t, s.URL()+"/wiki/api/v2/pages/"+id+"?body-format=storage", auth)
	}

	t.Run("edit", func(t *testing.T) {
		before := page(deploy.ID, demoAuth).body["version"].(map[string]any)
		if err := s.EditPage(deploy.ID, "<p>new body</p>"); err != nil {
			t.Fatal(err)
		}
		after := page(deploy.ID, demoAuth)
		v := after.body["version"].(map[string]any)
		if v["number"].(float64) != before["number"].(float64)+1 || v["createdAt"] == before["createdAt"] {
			t.Errorf("version %v → %v", before, v)
		}
		if after.body["body"].(map[string]any)["storage"].(map[string]any)["value"] != "<p>new body</p>" {
			t.Errorf("body %v", after.body["body"])
		}
		if got := s.Tenant(); byTitle(t, got, "Deploy runbook").Version != deploy.Version+1 {
			t.Error("Tenant() does not show the edit")
		}
	})

	t.Run("add", func(t *testing.T) {
		id, err := s.AddPage(Content{SpaceID: eng.ID, ParentID: deploy.ID, Title: "New child", Body: "<p>hi</p>"})
		if err != nil {
			t.Fatal(err)
		}
		kids := ids(walkV2(t, s, "/wiki/api/v2/pages/"+deploy.ID+"/children", demoAuth))
		if !slices.Contains(kids, id) {
			t.Errorf("children %v lack %s", kids, id)
		}
		if _, err := s.AddPage(Content{SpaceID: "nope", Title: "x"}); !errors.Is(err, ErrNotFound) {
			t.Errorf("bad space: %v", err)
		}
	})

	t.Run("move", func(t *testing.T) {
		arch := byTitle(t, tn, "Architecture")
		if err := s.MovePage(deploy.ID, arch.ID); err != nil {
			t.Fatal(err)
		}
		anc := ids(results(mustGet(t, s.URL()+"/wiki/api/v2/pages/"+deploy.ID+"/ancestors", demoAuth)))
		if !slices.Equal(anc, []string{eng.HomepageID, arch.ID}) {
			t.Errorf("ancestors after move %v", anc)
		}
		if err := s.MovePage(arch.ID, deploy.ID); err == nil {
			t.Error("moving a page under its own child succeeded")
		}
		p := page(deploy.ID, demoAuth)
		if p.body["parentId"] != arch.ID || p.body["parentType"] != "page" {
			t.Errorf("parent %v %v", p.body["parentId"], p.body["parentType"])
		}
	})

	t.Run("restrict and group members", func(t *testing.T) {
		if r := page(deploy.ID, bob); r.status != 200 {
			t.Fatalf("bob before: %d", r.status)
		}
		dave := userByEmail(t, tn, "dave@example.com")
		if err := s.SetReadRestriction(deploy.ID, []string{dave.AccountID}, nil); err != nil {
			t.Fatal(err)
		}
		if r := page(deploy.ID, bob); r.status != 404 {
			t.Fatalf("bob after restriction: %d", r.status)
		}
		rr := mustGet(t, s.URL()+"/wiki/rest/api/content/"+deploy.ID+"/restriction/byOperation/read", demoAuth)
		users := rr.body["restrictions"].(map[string]any)["user"].(map[string]any)["results"].([]any)
		if len(users) != 1 || users[0].(map[string]any)["accountId"] != dave.AccountID {
			t.Errorf("read restriction %s", rr.raw)
		}
		// Give bob a group that the restriction names.
		var lead *Group
		for _, g := range tn.Groups {
			if g.Name == "leadership" {
				lead = g
			}
		}
		if err := s.SetReadRestriction(deploy.ID, []string{dave.AccountID}, []string{lead.ID}); err != nil {
			t.Fatal(err)
		}
		if r := page(deploy.ID, bob); r.status != 404 {
			t.Fatalf("bob not in leadership: %d", r.status)
		}
		if err := s.SetGroupMembers(lead.ID, append(slices.Clone(lead.Members), userByEmail(t, tn, "bob@example.com").AccountID)); err != nil {
			t.Fatal(err)
		}
		if r := page(deploy.ID, bob); r.status != 200 {
			t.Fatalf("bob in leadership: %d", r.status)
		}
		m := walkV1(t, s, "/wiki/rest/api/group/"+lead.ID+"/membersByGroupId", demoAuth)
		if len(m) != len(lead.Members)+1 {
			t.Errorf("members %d", len(m))
		}
	})

	t.Run("trash", func(t *testing.T) {
		arch := byTitle(t, tn, "Architecture")
		if err := s.TrashContent(arch.ID); err != nil {
			t.Fatal(err)
		}
		p := page(arch.ID, demoAuth)
		if p.status != 200 || p.body["status"] != "trashed" || p.body["parentId"] != nil || p.body["position"] != nil {
			t.Errorf("trashed page: %d %v %v", p.status, p.body["status"], p.body["parentId"])
		}
		listed := ids(walkV2(t, s, "/wiki/api/v2/spaces/"+eng.ID+"/pages", demoAuth))
		for _, id := range []string{arch.ID, deploy.ID} { // deploy now lives under Architecture
			if slices.Contains(listed, id) {
				t.Errorf("trashed %s still listed", id)
			}
		}
		trashed := ids(walkV2(t, s, "/wiki/api/v2/spaces/"+eng.ID+"/pages?status=trashed", demoAuth))
		if !slices.Contains(trashed, arch.ID) || !slices.Contains(trashed, deploy.ID) {
			t.Errorf("status=trashed lists %v", trashed)
		}
		kids := ids(walkV2(t, s, "/wiki/api/v2/pages/"+eng.HomepageID+"/direct-children", demoAuth))
		if slices.Contains(kids, arch.ID) {
			t.Error("trashed child still in direct-children")
		}
	})

	t.Run("delete", func(t *testing.T) {
		if err := s.DeleteContent(deploy.ID); err != nil {
			t.Fatal(err)
		}
		if r := page(deploy.ID, demoAuth); r.status != 404 {
			t.Errorf("purged page: %d", r.status)
		}
		for _, a := range s.Tenant().Attachments {
			if a.ContainerID == deploy.ID {
				t.Errorf("attachment %s of a purged page remains", a.ID)
			}
		}
		if err := s.DeleteContent(deploy.ID); !errors.Is(err, ErrNotFound) {
			t.Errorf("second delete: %v", err)
		}
	})

	t.Run("attachments", func(t *testing.T) {
		faq := byTitle(t, tn, "FAQ")
		id, err := s.AddAttachment(Attachment{ContainerID: faq.ID, Title: "notes.txt", Data: []byte("hello")})
		if err != nil {
			t.Fatal(err)
		}
		a := mustGet(t, s.URL()+"/wiki/api/v2/attachments/"+id, demoAuth)
		if a.body["fileSize"] != float64(5) || a.body["mediaType"] != "text/plain" || a.body["pageId"] != faq.ID {
			t.Errorf("attachment %s", a.raw)
		}
		if err := s.EditAttachment(id, []byte("hello, world")); err != nil {
			t.Fatal(err)
		}
		a = mustGet(t, s.URL()+"/wiki/api/v2/attachments/"+id, demoAuth)
		if a.body["fileSize"] != float64(12) || a.body["version"].(map[string]any)["number"] != float64(2) {
			t.Errorf("edited attachment %s", a.raw)
		}
	})

	t.Run("delete group", func(t *testing.T) {
		sec := byTitle(t, tn, "Security review")
		var lead *Group
		for _, g := range tn.Groups {
			if g.Name == "leadership" {
				lead = g
			}
		}
		if err := s.DeleteGroup(lead.ID); err != nil {
			t.Fatal(err)
		}
		if r := get(t, s.URL()+"/wiki/rest/api/group/"+lead.ID+"/membersByGroupId", demoAuth); r.status != 404 {
			t.Errorf("members of a deleted group: %d", r.status)
		}
		rr := mustGet(t, s.URL()+"/wiki/rest/api/content/"+sec.ID+"/restriction/byOperation/read", demoAuth)
		var names []string
		for _, g := range rr.body["restrictions"].(map[string]any)["group"].(map[string]any)["results"].([]any) {
			names = append(names, str(g.(map[string]any)["name"]))
		}
		if !slices.Equal(names, []string{"leadership", "old-contractors"}) {
			t.Errorf("restriction groups %v: deleted groups stay listed", names)
		}
	})
}
