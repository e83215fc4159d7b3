package pgsink

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
)

// Principal is a user searching: an email and, when known, account ids.
// The groups table adds the account ids of group members with that email
// and gives the user's group ids.
type Principal struct {
	Email      string
	AccountIDs []string
}

// PrincipalSQL resolves a user ($1 the email, $2 the account ids known
// besides it) into the email in lower case, every account id (those given
// and those the groups table pairs with the email) and the ids of the
// groups listing the user by email or account id.
const PrincipalSQL = `principal AS (
    SELECT lower($1::text) AS email,
           ARRAY(SELECT DISTINCT a FROM (
                     SELECT unnest($2::text[]) AS a
                     UNION
                     SELECT m->>'account_id'
                       FROM groups g, jsonb_array_elements(g.members) m
                      WHERE g.member_emails @> ARRAY[lower($1::text)]
                        AND lower(m->>'email') = lower($1::text)
                 ) x WHERE a <> '') AS account_ids
), member_of AS (
    SELECT ARRAY(SELECT g.id FROM groups g, principal p
                  WHERE g.member_emails @> ARRAY[p.email]
                     OR g.member_account_ids && p.account_ids) AS group_ids
)`

// ACLFilter is the documented read rule on documents d, with the
// principal p and member_of m of PrincipalSQL: public, or the email among
// acl_users, or an account id among acl_account_ids, or a group among
// acl_groups. Each test is written as an array operator (@>, &&) so that
// the GIN indexes on the ACL arrays serve it; "@> ARRAY[email]" is
// "email = ANY(acl_users)".
const ACLFilter = `(d.acl_public
       OR d.acl_users @> ARRAY[p.email]
       OR d.acl_account_ids && p.account_ids
       OR d.acl_groups && m.group_ids)`

// ReadableSQL lists the ids of the documents a user may read.
const ReadableSQL = `WITH ` + PrincipalSQL + `
SELECT d.id FROM documents d, principal p, member_of m
 WHERE ` + ACLFilter + `
 ORDER BY d.id COLLATE "C"`

// SearchSQL finds the documents a user may read that match a web-search
// style query ($3, as websearch_to_tsquery reads it: words, "quoted
// phrases", OR, -excluded), best first, at most $4.
const SearchSQL = `WITH ` + PrincipalSQL + `, q AS (SELECT websearch_to_tsquery('english', $3::text) AS q)
SELECT d.id, d.title, d.space_key, d.url,
       ts_headline('english', left(d.body_text, 200000), q.q,
                   'MaxFragments=2, MaxWords=18, MinWords=6, FragmentDelimiter=" … ", StartSel=[, StopSel=]') AS snippet,
       ts_rank_cd(d.search, q.q) AS rank
  FROM documents d, principal p, member_of m, q
 WHERE d.search @@ q.q
   AND ` + ACLFilter + `
 ORDER BY rank DESC, d.id COLLATE "C"
 LIMIT $4`

// Readable returns the ids of every document the user may read, sorted.
func (s *Sink) Readable(ctx context.Context, p Principal) ([]string, error) {
	if err := p.check(); err != nil {
		return nil, err
	}
	rows, err := s.pool.Query(ctx, ReadableSQL, p.Email, nonNil(p.AccountIDs))
	if err != nil {
		return nil, fmt.Errorf("postgres sink: readable documents: %w", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("postgres sink: readable documents: %w", err)
	}
	return ids, nil
}

// Hit is one search result.
type Hit struct {
	ID, Title, SpaceKey, URL string
	// Snippet is the best passages of the body, matches in [brackets].
	Snippet string
	Rank    float64
}

// Search runs a query as a user: only the documents the user may read,
// best first, at most limit (default 20).
func (s *Sink) Search(ctx context.Context, p Principal, query string, limit int) ([]Hit, error) {
	if err := p.check(); err != nil {
		return nil, err
	}
	if strings.TrimSpace(query) == "" {
		return nil, errors.New("empty query")
	}
	if limit <= 0 {
		limit = 20
	}
	rows, err := s.pool.Query(ctx, SearchSQL, p.Email, nonNil(p.AccountIDs), query, limit)
	if err != nil {
		return nil, fmt.Errorf("postgres sink: search: %w", err)
	}
	hits, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Hit, error) {
		var h Hit
		var rank float32
		err := r.Scan(&h.ID, &h.Title, &h.SpaceKey, &h.URL, &h.Snippet, &rank)
		h.Rank = float64(rank)
		return h, err
	})
	if err != nil {
		return nil, fmt.Errorf("postgres sink: search: %w", err)
	}
	return hits, nil
}

func (p Principal) check() error {
	if strings.TrimSpace(p.Email) == "" && len(p.AccountIDs) == 0 {
		return errors.New("search: no user (an email or an account id is needed)")
	}
	return nil
}

func nonNil(l []string) []string {
	if l == nil {
		return []string{}
	}
	return l
}
