// Package pgsink is the PostgreSQL sink: one row per document in the table
// documents (the whole document as jsonb, and the columns a search needs:
// title, body text, a generated weighted tsvector, labels, ancestors, and
// the ACL as GIN-indexed arrays), the groups with their members in the
// table groups. It implements sinkport.Backend.
//
// The schema is created and upgraded by versioned migrations (embedded SQL
// run by goose, under a PostgreSQL advisory lock, so that several sink
// replicas starting at once migrate exactly once).
//
// A batch is written in one transaction by multi-row
// INSERT … ON CONFLICT (id) DO UPDATE … WHERE the stored version is not
// newer, so a batch that fails leaves nothing behind and an older version
// never overwrites a newer one, whatever the order of concurrent writers.
// A write of the stored version changes the row only when something other
// than crawl_id changed.
package pgsink

import (
	"context"
	"database/sql"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"

	"github.com/conflux-dev/conflux/proto"
	"github.com/conflux-dev/conflux/services/sink/sinkport"
)

//go:embed migrations/*.sql
var migrations embed.FS

// VersionTable is where goose records the applied migrations.
const VersionTable = "conflux_schema_version"

// DefaultBatchRows is how many rows one INSERT statement carries; a larger
// batch takes several statements in the same transaction.
const DefaultBatchRows = 500

// Sink writes to PostgreSQL. It is safe for concurrent use.
type Sink struct {
	pool *pgxpool.Pool
	// BatchRows is the number of rows per INSERT statement. Set it before
	// use; default DefaultBatchRows.
	BatchRows int
}

var _ sinkport.Backend = (*Sink)(nil)

// Open connects to the database at dsn (a postgres:// URL or key=value
// string; search_path=<schema> selects a schema), migrates the schema to
// the newest version and returns the sink. Errors never show the
// password.
func Open(ctx context.Context, dsn string) (*Sink, error) {
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("postgres sink: parse sink.dsn: %w", err)
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres sink: %w", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("postgres sink: connect: %w", err)
	}
	if err := Migrate(ctx, pool); err != nil {
		pool.Close()
		return nil, err
	}
	return &Sink{pool: pool, BatchRows: DefaultBatchRows}, nil
}

// Migrate brings the schema to the newest version.
func Migrate(ctx context.Context, pool *pgxpool.Pool) error {
	db := stdlib.OpenDBFromPool(pool)
	defer db.Close()
	return migrate(ctx, db)
}

func migrate(ctx context.Context, db *sql.DB) error {
	locker, err := lock.NewPostgresSessionLocker(lock.WithLockTimeout(1, 600))
	if err != nil {
		return fmt.Errorf("postgres sink: migrate: %w", err)
	}
	p, err := goose.NewProvider(goose.DialectPostgres, db, mustSub(migrations, "migrations"),
		goose.WithSessionLocker(locker), goose.WithTableName(VersionTable), goose.WithDisableGlobalRegistry(true))
	if err != nil {
		return fmt.Errorf("postgres sink: migrate: %w", err)
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("postgres sink: migrate: %w", err)
	}
	return nil
}

// Pool returns the connection pool (for tools and tests).
func (s *Sink) Pool() *pgxpool.Pool { return s.pool }

// Close closes the pool.
func (s *Sink) Close() error {
	s.pool.Close()
	return nil
}

// docColumns are the columns an upsert writes, in the order of row().
var docColumns = []string{"id", "type", "site", "space_key", "space_id", "title", "url", "parent_id", "container_id",
	"ancestors", "labels", "version", "created_at", "updated_at", "author_account_id", "author_email", "body_text",
	"attachment_file_name", "attachment_media_type", "attachment_size",
	"acl_public", "acl_users", "acl_account_ids", "acl_groups", "acl_group_names", "crawl_id", "doc", "ancestor_titles"}

// upsertTail makes an insert an upsert by id and version: a stored newer
// version wins; the stored version is rewritten only when something other
// than crawl_id changed.
var upsertTail = func() string {
	var set []string
	for _, c := range docColumns[1:] {
		set = append(set, c+" = excluded."+c)
	}
	set = append(set, "written_at = now()")
	return " ON CONFLICT (id) DO UPDATE SET " + strings.Join(set, ", ") +
		" WHERE documents.version < excluded.version OR (documents.version = excluded.version AND" +
		" (documents.doc - 'crawl_id') IS DISTINCT FROM (excluded.doc - 'crawl_id'))"
}()

// Upsert writes a batch in one transaction (see the package comment).
// Attachment bytes are not stored (doc.attachment keeps the metadata, with
// an empty path) and the readers are never read.
func (s *Sink) Upsert(ctx context.Context, items []sinkport.Item) error {
	items = sinkport.Dedupe(items)
	if len(items) == 0 {
		return nil
	}
	rows := make([][]any, 0, len(items))
	for _, it := range items {
		r, err := row(it.Doc)
		if err != nil {
			return err
		}
		rows = append(rows, r)
	}
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		n := max(1, s.BatchRows)
		for i := 0; i < len(rows); i += n {
			chunk := rows[i:min(i+n, len(rows))]
			if _, err := tx.Exec(ctx, insertSQL("documents", docColumns, len(chunk))+upsertTail, flatten(chunk)...); err != nil {
				return fmt.Errorf("postgres sink: upsert %d documents (%s…): %w", len(chunk), chunk[0][0], err)
			}
		}
		return nil
	})
}

// row turns a document into the values of docColumns.
func row(d proto.Document) ([]any, error) {
	d = clean(d)
	if d.Attachment != nil {
		a := *d.Attachment
		a.Path = "" // no bytes are stored here
		d.Attachment = &a
	}
	doc, err := json.Marshal(d)
	if err != nil {
		return nil, fmt.Errorf("postgres sink: encode document %s: %w", d.ID, err)
	}
	var fileName, mediaType *string
	var size *int64
	if a := d.Attachment; a != nil {
		fileName, mediaType, size = &a.FileName, &a.MediaType, &a.Size
	}
	return []any{d.ID, d.Type, d.Site, d.SpaceKey, d.SpaceID, d.Title, d.URL, d.ParentID, d.ContainerID,
		d.Ancestors, d.Labels, d.Version, timestamp(d.CreatedAt), timestamp(d.UpdatedAt), d.Author.AccountID,
		d.Author.Email, d.BodyText, fileName, mediaType, size,
		d.ACL.Public, lower(d.ACL.Users), d.ACL.AccountIDs, d.ACL.Groups, d.ACL.GroupNames, d.CrawlID, doc, d.AncestorTitles}, nil
}

// timestamp parses an RFC 3339 time; anything else is NULL (the document
// keeps the text in doc).
func timestamp(s string) *time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return nil
	}
	return &t
}

// insertSQL returns INSERT INTO table (cols) VALUES ($1, …), … for n rows.
func insertSQL(table string, cols []string, n int) string {
	var b strings.Builder
	b.WriteString("INSERT INTO " + table + " (" + strings.Join(cols, ", ") + ") VALUES ")
	p := 1
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteByte('(')
		for j := range cols {
			if j > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "$%d", p)
			p++
		}
		b.WriteByte(')')
	}
	return b.String()
}

func flatten(rows [][]any) []any {
	var out []any
	for _, r := range rows {
		out = append(out, r...)
	}
	return out
}

// Delete removes documents by id.
func (s *Sink) Delete(ctx context.Context, ids []string) error {
	if len(ids) == 0 {
		return nil
	}
	if _, err := s.pool.Exec(ctx, "DELETE FROM documents WHERE id = ANY($1)", ids); err != nil {
		return fmt.Errorf("postgres sink: delete %d documents: %w", len(ids), err)
	}
	return nil
}

var groupColumns = []string{"id", "name", "member_account_ids", "member_emails", "members"}

// WriteGroups stores groups in one transaction; a group whose name and
// members did not change is not rewritten.
func (s *Sink) WriteGroups(ctx context.Context, groups []proto.Group) error {
	groups = sinkport.DedupeGroups(groups)
	if len(groups) == 0 {
		return nil
	}
	var rows [][]any
	for _, g := range groups {
		if g.Members == nil {
			g.Members = []proto.GroupMember{}
		}
		members, err := json.Marshal(g.Members)
		if err != nil {
			return fmt.Errorf("postgres sink: encode group %s: %w", g.ID, err)
		}
		accounts, emails := []string{}, []string{}
		for _, m := range g.Members {
			if m.AccountID != "" {
				accounts = append(accounts, m.AccountID)
			}
			if m.Email != "" {
				emails = append(emails, strings.ToLower(m.Email))
			}
		}
		rows = append(rows, []any{cleanText(g.ID), cleanText(g.Name), accounts, emails, members})
	}
	tail := " ON CONFLICT (id) DO UPDATE SET name = excluded.name, member_account_ids = excluded.member_account_ids," +
		" member_emails = excluded.member_emails, members = excluded.members, written_at = now()" +
		" WHERE (groups.name, groups.members) IS DISTINCT FROM (excluded.name, excluded.members)"
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		n := max(1, s.BatchRows)
		for i := 0; i < len(rows); i += n {
			chunk := rows[i:min(i+n, len(rows))]
			if _, err := tx.Exec(ctx, insertSQL("groups", groupColumns, len(chunk))+tail, flatten(chunk)...); err != nil {
				return fmt.Errorf("postgres sink: write %d groups: %w", len(chunk), err)
			}
		}
		return nil
	})
}

// Document returns a stored document from its doc column.
func (s *Sink) Document(ctx context.Context, id string) (proto.Document, bool, error) {
	var d proto.Document
	err := s.pool.QueryRow(ctx, "SELECT doc FROM documents WHERE id = $1", id).Scan(&d)
	if errors.Is(err, pgx.ErrNoRows) {
		return proto.Document{}, false, nil
	}
	if err != nil {
		return proto.Document{}, false, fmt.Errorf("postgres sink: read document %s: %w", id, err)
	}
	return d, true, nil
}

// Documents returns every stored document, sorted by id. It is meant for
// tests and tools.
func (s *Sink) Documents(ctx context.Context) ([]proto.Document, error) {
	rows, err := s.pool.Query(ctx, "SELECT doc FROM documents ORDER BY id COLLATE \"C\"")
	if err != nil {
		return nil, fmt.Errorf("postgres sink: list documents: %w", err)
	}
	docs, err := pgx.CollectRows(rows, pgx.RowTo[proto.Document])
	if err != nil {
		return nil, fmt.Errorf("postgres sink: list documents: %w", err)
	}
	return docs, nil
}

// Group returns a stored group.
func (s *Sink) Group(ctx context.Context, id string) (proto.Group, bool, error) {
	g := proto.Group{ID: id}
	err := s.pool.QueryRow(ctx, "SELECT name, members FROM groups WHERE id = $1", id).Scan(&g.Name, &g.Members)
	if errors.Is(err, pgx.ErrNoRows) {
		return proto.Group{}, false, nil
	}
	if err != nil {
		return proto.Group{}, false, fmt.Errorf("postgres sink: read group %s: %w", id, err)
	}
	return g, true, nil
}
