-- The PostgreSQL sink's tables (DESIGN, "The operator contract").

-- +goose Up
CREATE TABLE documents (
    id              text PRIMARY KEY CHECK (id <> ''),
    type            text NOT NULL,
    site            text NOT NULL DEFAULT '',
    space_key       text NOT NULL DEFAULT '',
    space_id        text NOT NULL DEFAULT '',
    title           text NOT NULL DEFAULT '',
    url             text NOT NULL DEFAULT '',
    parent_id       text,
    container_id    text,
    -- ancestor ids, root first (folders included): the path to the item
    ancestors       text[] NOT NULL DEFAULT '{}',
    labels          text[] NOT NULL DEFAULT '{}',
    version         integer NOT NULL CHECK (version >= 0),
    created_at      timestamptz,
    updated_at      timestamptz,
    author_account_id text NOT NULL DEFAULT '',
    author_email    text NOT NULL DEFAULT '',
    body_text       text NOT NULL DEFAULT '',
    attachment_file_name  text,
    attachment_media_type text,
    attachment_size       bigint,
    -- who may read: public, or an email in acl_users (lower case), or an
    -- account id in acl_account_ids, or a group id in acl_groups
    acl_public      boolean NOT NULL DEFAULT false,
    acl_users       text[] NOT NULL DEFAULT '{}',
    acl_account_ids text[] NOT NULL DEFAULT '{}',
    acl_groups      text[] NOT NULL DEFAULT '{}',
    acl_group_names text[] NOT NULL DEFAULT '{}',
    crawl_id        text NOT NULL DEFAULT '',
    -- the whole document exactly as every sink receives it
    doc             jsonb NOT NULL,
    written_at      timestamptz NOT NULL DEFAULT now(),
    -- full-text search: the title weighs more than the body; the body
    -- counts up to its first 200,000 characters (a tsvector holds at most
    -- 1 MB)
    search          tsvector GENERATED ALWAYS AS (
                        setweight(to_tsvector('english'::regconfig, title), 'A') ||
                        setweight(to_tsvector('english'::regconfig, left(body_text, 200000)), 'C')
                    ) STORED
);

CREATE INDEX documents_acl_users       ON documents USING gin (acl_users);
CREATE INDEX documents_acl_account_ids ON documents USING gin (acl_account_ids);
CREATE INDEX documents_acl_groups      ON documents USING gin (acl_groups);
CREATE INDEX documents_labels          ON documents USING gin (labels);
CREATE INDEX documents_ancestors       ON documents USING gin (ancestors);
CREATE INDEX documents_search          ON documents USING gin (search);
CREATE INDEX documents_space_key       ON documents (space_key);
CREATE INDEX documents_container_id    ON documents (container_id) WHERE container_id IS NOT NULL;
CREATE INDEX documents_acl_public      ON documents (id) WHERE acl_public;

CREATE TABLE groups (
    id                 text PRIMARY KEY CHECK (id <> ''),
    name               text NOT NULL DEFAULT '',
    -- members' account ids, and the emails (lower case) of those that have one
    member_account_ids text[] NOT NULL DEFAULT '{}',
    member_emails      text[] NOT NULL DEFAULT '{}',
    -- the members as the sink received them: [{"account_id", "email"}]
    members            jsonb NOT NULL DEFAULT '[]',
    written_at         timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX groups_member_account_ids ON groups USING gin (member_account_ids);
CREATE INDEX groups_member_emails      ON groups USING gin (member_emails);

-- +goose Down
DROP TABLE groups;
DROP TABLE documents;
