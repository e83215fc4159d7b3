package searchsink

import (
	"context"
	"encoding/json"
	"fmt"
)

// lowercase is the keyword normalizer of emails, so that a term query
// for "Ann@Acme.com" finds "ann@acme.com".
var lowercase = map[string]any{"analysis": map[string]any{"normalizer": map[string]any{
	"lowercase": map[string]any{"type": "custom", "filter": []string{"lowercase"}}}}}

func keyword() map[string]any { return map[string]any{"type": "keyword"} }
func email() map[string]any   { return map[string]any{"type": "keyword", "normalizer": "lowercase"} }
func text() map[string]any    { return map[string]any{"type": "text"} }
func date() map[string]any    { return map[string]any{"type": "date", "ignore_malformed": true} }
func object(props map[string]any) map[string]any {
	return map[string]any{"properties": props}
}

// documentMapping maps the document: identifiers and the ACL as keywords
// (acl.public a boolean, acl.users lower-cased), title and body as text.
func documentMapping() map[string]any {
	return map[string]any{"dynamic": false, "properties": map[string]any{
		"id": keyword(), "type": keyword(), "site": keyword(), "space_key": keyword(), "space_id": keyword(),
		"title":     map[string]any{"type": "text", "fields": map[string]any{"keyword": map[string]any{"type": "keyword", "ignore_above": 512}}},
		"url":       map[string]any{"type": "keyword", "index": false},
		"parent_id": keyword(), "ancestors": keyword(), "container_id": keyword(), "labels": keyword(),
		"version":    map[string]any{"type": "long"},
		"created_at": date(), "updated_at": date(),
		"author":    object(map[string]any{"account_id": keyword(), "email": email()}),
		"body_text": text(),
		"attachment": object(map[string]any{"file_name": text(), "media_type": keyword(),
			"size": map[string]any{"type": "long"}, "path": map[string]any{"type": "keyword", "index": false}}),
		"acl": object(map[string]any{"public": map[string]any{"type": "boolean"}, "users": email(),
			"account_ids": keyword(), "groups": keyword(), "group_names": keyword()}),
		"crawl_id": keyword(),
	}}
}

// identityMapping maps the identities index: groups and users.
func identityMapping() map[string]any {
	return map[string]any{"dynamic": false, "properties": map[string]any{
		"kind": keyword(), "id": keyword(), "name": keyword(),
		"member_account_ids": keyword(), "member_emails": email(),
		"account_id": keyword(), "email": email(), "groups": keyword(),
		"members": map[string]any{"type": "object", "enabled": false},
		"query":   map[string]any{"type": "object", "enabled": false},
	}}
}

// template is a composable index template for exactly one index name.
func template(index string, mappings map[string]any) ([]byte, error) {
	return json.Marshal(map[string]any{
		"index_patterns": []string{index},
		"priority":       200,
		"template":       map[string]any{"settings": lowercase, "mappings": mappings},
		"_meta":          map[string]any{"managed_by": "conflux"},
	})
}

// Setup creates or replaces the index templates of the documents and
// identities indexes and creates both indexes if they are missing. It is
// idempotent and safe to run from several replicas at once.
func (s *Sink) Setup(ctx context.Context) error {
	for _, ix := range []struct {
		name     string
		mappings map[string]any
	}{{s.opt.Index, documentMapping()}, {s.Identities(), identityMapping()}} {
		body, err := template(ix.name, ix.mappings)
		if err != nil {
			return s.errorf("encode index template %s: %w", ix.name, err)
		}
		r, err := s.c.PutIndexTemplate(ctx, ix.name, body)
		if err != nil {
			return s.errorf("put index template %s: %w", ix.name, err)
		}
		if r.Status >= 300 {
			return s.errorf("put index template %s: %s", ix.name, replyError(r))
		}
		if err := s.createIndex(ctx, ix.name); err != nil {
			return err
		}
	}
	return nil
}

func (s *Sink) createIndex(ctx context.Context, name string) error {
	r, err := s.c.CreateIndex(ctx, name)
	if err != nil {
		return s.errorf("create index %s: %w", name, err)
	}
	if r.Status < 300 {
		return nil
	}
	var eb struct {
		Error errorInfo `json:"error"`
	}
	if json.Unmarshal(r.Body, &eb) == nil && eb.Error.Type == "resource_already_exists_exception" {
		return nil
	}
	return fmt.Errorf("%s sink: create index %s: %s", s.opt.Product, name, replyError(r))
}
