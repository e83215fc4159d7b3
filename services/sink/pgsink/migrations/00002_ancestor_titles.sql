-- Breadcrumbs: the titles of the ancestors, root first, same length and
-- order as ancestors, searchable with the lowest weight.

-- +goose Up
ALTER TABLE documents ADD COLUMN ancestor_titles text[] NOT NULL DEFAULT '{}';

-- array_to_string is only STABLE for any array type; for text[] it is
-- immutable, which a generated column needs.
-- +goose StatementBegin
CREATE FUNCTION conflux_titles_text(text[]) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT array_to_string($1, ' ') $$;
-- +goose StatementEnd

DROP INDEX documents_search;
ALTER TABLE documents DROP COLUMN search;
ALTER TABLE documents ADD COLUMN search tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('english'::regconfig, title), 'A') ||
    setweight(to_tsvector('english'::regconfig, left(body_text, 200000)), 'C') ||
    setweight(to_tsvector('english'::regconfig, conflux_titles_text(ancestor_titles)), 'D')
) STORED;
CREATE INDEX documents_search ON documents USING gin (search);

-- +goose Down
DROP INDEX documents_search;
ALTER TABLE documents DROP COLUMN search;
ALTER TABLE documents ADD COLUMN search tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('english'::regconfig, title), 'A') ||
    setweight(to_tsvector('english'::regconfig, left(body_text, 200000)), 'C')
) STORED;
CREATE INDEX documents_search ON documents USING gin (search);
DROP FUNCTION conflux_titles_text(text[]);
ALTER TABLE documents DROP COLUMN ancestor_titles;
