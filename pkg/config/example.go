package config

// Example is a commented configuration file: the one of DESIGN ("The
// operator contract") followed by the keys it leaves at their defaults. It
// parses when CONFLUX_API_TOKEN and CONFLUX_CLIENT_SECRET are set.
const Example = `site: https://acme.atlassian.net      # the Confluence Cloud site; http:// is allowed (tests, proxies)
auth:
  mode: api_token                     # api_token | oauth2
  email: crawler@acme.com
  api_token: ${CONFLUX_API_TOKEN}
  oauth2:
    client_id: ...
    client_secret: ${CONFLUX_CLIENT_SECRET}
    refresh_token: ...                # the first one; the broker keeps the rotated ones
    auth_url: https://auth.atlassian.com/authorize        # defaults; set for a proxy or a test
    token_url: https://auth.atlassian.com/oauth/token
    api_url: https://api.atlassian.com                    # gateway and accessible-resources
spaces:
  include: []                         # space keys; empty means all
  exclude: []
users_csv: ./export-users.csv         # the admin "Export users" file, optional
users_csv_max_bad_rows: 100           # bad rows skipped and reported; one more fails the import; 0: the default
content:
  include_archived: false
  attachments:
    max_size: 100MB                   # 0: no limit; KB/MB/GB are powers of 1000, KiB/MiB/GiB of 1024
    extract:                          # the extractor stage: attachment bytes to document text
      max_file_size: 50MB             # larger files are not read ("skipped"); 0: no limit
      max_text: 1MB                   # text kept per document; the rest is cut ("truncated")
      timeout: 30s                    # time limit per file
      tika_url: ""                    # an Apache Tika server for other formats; empty: off
rules:                                # what of the crawled spaces is indexed; the defaults index everything
  space_types: []                     # global | collaboration | knowledge_base | personal | …; empty: all
  space_status: []                    # current | archived; empty: current (+ archived with content.include_archived)
  page_trees: []                      # page ids: only these pages, everything below them, and what hangs off them
  labels:
    include: []                       # an item must carry one of these labels
    exclude: []                       # an item carrying one of these is left out
  types: [page, blogpost, comment, attachment]
  folders_as_documents: true          # folders are still read for paths and restrictions
  modified_after: ""                  # e.g. 2024-01-01: items last modified since then
  modified_within: 0s                 # e.g. 720h or 30d: items last modified within that time before the crawl
  attachments:
    media_types: []                   # e.g. [application/pdf, "image/*"]; empty: every type
  cql: ""                             # an extra CQL condition for pages, blog posts and folders (documented fields only)
nats:
  url: ""                             # empty: the embedded server; or nats://h1:4222,nats://h2:4222
  data_dir: ./data
  listen: 127.0.0.1:0                 # the embedded server also listens here (0: a free port), with a random
                                      # token, and writes its URL to <data_dir>/nats.url (mode 0600) so that
                                      # conflux status / crawl and the nats CLI reach a running conflux run
  replicas: 1                         # stream and bucket replicas (3 on a three-node cluster)
  ack_wait: 60s                       # a message a worker took and did not acknowledge goes to another replica after this
  memory_limit: 200MiB                # soft memory limit of conflux run with the embedded server; 0: none
  # Authentication to an external server: at most one of user/password, token, nkey_file, creds_file.
  user: ""
  password: ""
  token: ""
  nkey_file: ""
  creds_file: ""
  tls:                                # PEM files; cert and key together, or neither
    ca: ""
    cert: ""
    key: ""
  insecure_allow_unauthenticated: false   # the token broker refuses a server that asks no credentials; true: local tests only
sink:                                 # one sink; or sinks:, a list of them, each with a unique name
  name: default                       # the name of the one sink (sinks: entries need their own)
  type: files                         # files | postgres | opensearch | elasticsearch
  dir: ./out
  dsn: ""                             # postgres: postgres://conflux@127.0.0.1:5432/conflux?sslmode=disable
  urls: []                            # opensearch, elasticsearch: [https://search:9200]
  index: conflux                      # opensearch, elasticsearch; identities go to <index>-identities
  username: ""                        # opensearch, elasticsearch basic auth
  password: ""
  api_key: ""                         # elasticsearch only, instead of username and password
  ca: ""                              # PEM file of the search cluster's CA; empty: the system's roots
  max_delete_share: 0.5               # a full crawl deletes at most this share of a space unless forced
  file_mode: "0600"                   # octal; files written (documents, attachments, groups), whatever the umask
  dir_mode: "0700"                    # octal; directories created; existing ones keep their mode
# sinks:                              # instead of sink:, several sinks, each read on its own
#   - {name: files, type: files, dir: ./out}
#   - {name: search, type: opensearch, urls: ["https://search:9200"], username: conflux, password: ${OS_PASSWORD}}
crawl:                                # the schedule of "conflux run" (without --once)
  incremental_every: 15m
  full_every: 24h
  permissions_every: 1h
  concurrency: 4                      # files the text extractor parses at once per process (other stages: the stage table)
  requests_per_second: 0              # Confluence requests/s of the whole fleet, shared by replicas; 0: no limit
  burst: 1                            # requests one process may send at once under that rate
  fetcher_concurrency: 0              # spaces one fetcher process lists at once; 0: the stage table's 8
audit:                                # checks sampled ACLs against Confluence's permission check (needs 'Confluence Administrator')
  sample: 0                           # documents checked per audit, after each crawl of "conflux run"; 0: off
  max_calls: 200                      # permission checks per audit
  max_calls_per_hour: 1000            # permission checks of all audits within any hour
  seed: 0                             # a fixed sample for repeatable audits; 0: a new sample each time
log:
  level: info                         # debug | info | warn | error
  format: auto                        # auto (colour on a terminal, JSON otherwise) | text | json
metrics:
  addr: ""                            # e.g. 127.0.0.1:9464 serves /metrics, /healthz, /readyz; empty: off
# Every key can also be set by an environment variable: CONFLUX_ and the key
# path in upper case with "." as "_", e.g. CONFLUX_AUTH_API_TOKEN,
# CONFLUX_NATS_URL, CONFLUX_SPACES_INCLUDE=ENG,OPS.
`
