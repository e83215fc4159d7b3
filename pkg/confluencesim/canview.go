package confluencesim

// Viewer answers the simulator's own permission check for a fixed state of
// a tenant, for tests that compare an index's ACL filter with it.
type Viewer struct{ ix *index }

// Viewer returns the permission check of the tenant as it is now (a later
// change of the tenant is not seen).
func (t *Tenant) Viewer() Viewer { return Viewer{newIndex(t)} }

// CanView reports whether the account may view the content or attachment
// with an id, by the rule the API applies (space permission, then the read
// restrictions of the item and every ancestor; comments and attachments
// take their container's). An unknown account or id cannot view.
func (v Viewer) CanView(accountID, id string) bool {
	u := v.ix.users[accountID]
	if u == nil {
		return false
	}
	c := v.ix.callerFor(u)
	if a, ok := v.ix.attachments[id]; ok {
		return v.ix.canViewAttachment(c, a)
	}
	return v.ix.canView(c, v.ix.content[id])
}
