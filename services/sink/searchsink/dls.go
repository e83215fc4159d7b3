package searchsink

// RoleTemplate is the document-level-security query of a reader, a
// mustache template over the parameters emails, account_ids and groups
// (lists of strings): a document is visible when it is public, or lists
// one of the emails in acl.users, one of the account ids in
// acl.account_ids, or one of the groups in acl.groups. It is the rule of
// every conflux sink, written as an Elasticsearch or OpenSearch query.
const RoleTemplate = `{"bool":{"filter":[{"bool":{"should":[` +
	`{"term":{"acl.public":true}},` +
	`{"terms":{"acl.users":{{#toJson}}emails{{/toJson}}}},` +
	`{"terms":{"acl.account_ids":{{#toJson}}account_ids{{/toJson}}}},` +
	`{"terms":{"acl.groups":{{#toJson}}groups{{/toJson}}}}` +
	`],"minimum_should_match":1}}]}}`

// RoleQuery is the query a user's identity document carries: RoleTemplate
// with that user's parameters, ready to be the "query" of a role
// descriptor (for instance of an API key created for that user).
func RoleQuery(email string, accountIDs, groups []string) map[string]any {
	emails := []string{}
	if email != "" {
		emails = append(emails, email)
	}
	return map[string]any{"template": map[string]any{
		"source": RoleTemplate,
		"params": map[string]any{"emails": emails, "account_ids": nonNil(accountIDs), "groups": nonNil(groups)},
	}}
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
