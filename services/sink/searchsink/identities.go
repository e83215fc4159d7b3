package searchsink

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/conflux-dev/conflux/proto"
	"github.com/conflux-dev/conflux/services/sink/sinkport"
)

// groupDoc is a group in the identities index.
type groupDoc struct {
	Kind             string              `json:"kind"` // "group"
	ID               string              `json:"id"`
	Name             string              `json:"name"`
	Members          []proto.GroupMember `json:"members"`
	MemberAccountIDs []string            `json:"member_account_ids"`
	MemberEmails     []string            `json:"member_emails"`
}

// userDoc is a user in the identities index: the groups whose members
// list one of its accounts, and its document-level-security query.
type userDoc struct {
	Kind       string   `json:"kind"` // "user"
	ID         string   `json:"id"`
	Email      string   `json:"email"`
	AccountIDs []string `json:"account_ids"`
	Groups     []string `json:"groups"`
	Query      any      `json:"query"`
}

func groupKey(id string) string { return "group:" + id }

// UserKey is the _id of a user in the identities index: the lower-case
// email when there is one (so that a role query can look the user up by
// user name), else "account:" + the account id.
func UserKey(email, accountID string) string {
	if e := strings.ToLower(strings.TrimSpace(email)); e != "" {
		return e
	}
	return "account:" + accountID
}

func newGroupDoc(g proto.Group) groupDoc {
	d := groupDoc{Kind: "group", ID: g.ID, Name: g.Name, Members: g.Members,
		MemberAccountIDs: []string{}, MemberEmails: []string{}}
	if d.Members == nil {
		d.Members = []proto.GroupMember{}
	}
	for _, m := range g.Members {
		if m.AccountID != "" {
			d.MemberAccountIDs = append(d.MemberAccountIDs, m.AccountID)
		}
		if m.Email != "" {
			d.MemberEmails = append(d.MemberEmails, strings.ToLower(m.Email))
		}
	}
	return d
}

// WriteGroups stores groups (replacing what was stored under their ids)
// and rewrites the user documents of every account that joined or left
// one of them. Groups written before unchanged (by this process) cost
// nothing.
func (s *Sink) WriteGroups(ctx context.Context, groups []proto.Group) error {
	s.groupsMu.Lock()
	defer s.groupsMu.Unlock()
	changed, sums := s.changedGroups(sinkport.DedupeGroups(groups))
	if len(changed) == 0 {
		return nil
	}
	accounts := map[string]string{} // account id → email, of every member before or after
	ops := make([]op, 0, len(changed))
	for _, g := range changed {
		var old groupDoc
		if _, err := s.get(ctx, s.Identities(), groupKey(g.ID), &old); err != nil {
			return err
		}
		addMembers(accounts, old.Members)
		addMembers(accounts, g.Members)
		o, err := indexOp(groupKey(g.ID), 0, newGroupDoc(g))
		if err != nil {
			return s.errorf("%w", err)
		}
		ops = append(ops, o)
	}
	if err := s.send(ctx, s.Identities(), ops, true); err != nil {
		return err
	}
	if err := s.writeUsers(ctx, accounts); err != nil {
		return err
	}
	for id, sum := range sums {
		s.written[id] = sum
	}
	return nil
}

// changedGroups returns the groups whose content differs from what this
// process last wrote, and the content of each.
func (s *Sink) changedGroups(groups []proto.Group) ([]proto.Group, map[string]string) {
	var out []proto.Group
	sums := map[string]string{}
	for _, g := range groups {
		data, _ := json.Marshal(newGroupDoc(g))
		if s.written[g.ID] == string(data) {
			continue
		}
		out = append(out, g)
		sums[g.ID] = string(data)
	}
	return out, sums
}

func addMembers(accounts map[string]string, members []proto.GroupMember) {
	for _, m := range members {
		if m.AccountID != "" && (accounts[m.AccountID] == "" || m.Email != "") {
			accounts[m.AccountID] = m.Email
		}
	}
}

// writeUsers recomputes the user documents of accounts from the groups
// stored in the identities index.
func (s *Sink) writeUsers(ctx context.Context, accounts map[string]string) error {
	ids := make([]string, 0, len(accounts))
	for id := range accounts {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	memberOf := map[string][]string{}
	query := map[string]any{"bool": map[string]any{"filter": []any{
		map[string]any{"term": map[string]any{"kind": "group"}},
		map[string]any{"terms": map[string]any{"member_account_ids": ids}},
	}}}
	err := s.scan(ctx, s.Identities(), query, "id", func(src json.RawMessage) error {
		var g groupDoc
		if err := json.Unmarshal(src, &g); err != nil {
			return err
		}
		for _, m := range g.Members {
			if _, ok := accounts[m.AccountID]; ok {
				memberOf[m.AccountID] = append(memberOf[m.AccountID], g.ID)
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	ops, err := userOps(ids, accounts, memberOf)
	if err != nil {
		return s.errorf("%w", err)
	}
	return s.send(ctx, s.Identities(), ops, false)
}

// userOps indexes each account's user document (deleting it when the
// account is in no group any more, and deleting its account-keyed
// document once its email is known).
func userOps(ids []string, accounts map[string]string, memberOf map[string][]string) ([]op, error) {
	var ops []op
	for _, id := range ids {
		email := strings.ToLower(accounts[id])
		key := UserKey(email, id)
		groups := memberOf[id]
		if len(groups) == 0 {
			ops = append(ops, deleteOp(key))
			continue
		}
		slices.Sort(groups)
		u := userDoc{Kind: "user", ID: key, Email: email, AccountIDs: []string{id}, Groups: groups,
			Query: RoleQuery(email, []string{id}, groups)}
		o, err := indexOp(key, 0, u)
		if err != nil {
			return nil, fmt.Errorf("encode user %s: %w", id, err)
		}
		ops = append(ops, o)
		if email != "" {
			ops = append(ops, deleteOp(UserKey("", id)))
		}
	}
	return ops, nil
}
