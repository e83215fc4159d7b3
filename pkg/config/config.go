package config

import (
	"net/url"
	"strings"
	"time"
)

// Config is the whole configuration of conflux. It is passed by value.
type Config struct {
	// Site is the Confluence Cloud site URL, e.g. https://acme.atlassian.net.
	// http:// is allowed (tests, proxies). Required.
	Site string `yaml:"site"`
	// Auth says how conflux authenticates to Confluence.
	Auth Auth `yaml:"auth"`
	// Spaces selects the spaces to crawl.
	Spaces Spaces `yaml:"spaces"`
	// UsersCSV is the path of the admin "Export users" CSV, loaded at start
	// to know emails that the API hides. Optional; default "".
	UsersCSV string `yaml:"users_csv"`
	// UsersCSVMaxBadRows is how many bad rows of the users CSV are skipped
	// (and reported); one more fails the import, since a file that bad is
	// not an export. 0 means the default. Default 100.
	UsersCSVMaxBadRows int `yaml:"users_csv_max_bad_rows"`
	// Content selects what content is crawled.
	Content Content `yaml:"content"`
	// Rules choose what of the crawled spaces is indexed (rules.go).
	Rules Rules `yaml:"rules"`
	// NATS says where the message bus is.
	NATS NATS `yaml:"nats"`
	// Sink says where finished documents are written.
	Sink Sink `yaml:"sink"`
	// Sinks lists several sinks, each with a unique name; set it or Sink,
	// not both (sinks.go). Default: none (Sink alone, named "default").
	Sinks []Sink `yaml:"sinks"`
	// Crawl holds the schedule and concurrency of crawls.
	Crawl Crawl `yaml:"crawl"`
	// Log holds the logging settings.
	Log Log `yaml:"log"`
	// Metrics says where Prometheus metrics and health are served.
	Metrics Metrics `yaml:"metrics"`
	// Audit is the sampled check of ACLs against Confluence (audit.go).
	Audit Audit `yaml:"audit"`
}

// Auth modes.
const (
	AuthAPIToken = "api_token"
	AuthOAuth2   = "oauth2"
)

// Auth is the authentication to Confluence.
type Auth struct {
	// Mode is api_token (basic auth with Email and APIToken) or oauth2
	// (3LO through the token broker). Default api_token.
	Mode string `yaml:"mode"`
	// Email is the account's email for api_token mode.
	Email string `yaml:"email"`
	// APIToken is the account's API token for api_token mode.
	APIToken Secret `yaml:"api_token"`
	// OAuth2 is the OAuth 2.0 (3LO) client for oauth2 mode.
	OAuth2 OAuth2 `yaml:"oauth2"`
}

// OAuth2 is the OAuth 2.0 (3LO) client used by the token broker.
type OAuth2 struct {
	// ClientID is the app's client id. Required in oauth2 mode.
	ClientID string `yaml:"client_id"`
	// ClientSecret is the app's client secret. Required in oauth2 mode.
	ClientSecret Secret `yaml:"client_secret"`
	// RefreshToken is the first refresh token; the broker keeps the
	// rotated ones. Required in oauth2 mode.
	RefreshToken Secret `yaml:"refresh_token"`
	// AuthURL is the authorization endpoint.
	// Default https://auth.atlassian.com/authorize.
	AuthURL string `yaml:"auth_url"`
	// TokenURL is the token endpoint.
	// Default https://auth.atlassian.com/oauth/token.
	TokenURL string `yaml:"token_url"`
	// APIURL is the API gateway, also serving accessible-resources.
	// Default https://api.atlassian.com.
	APIURL string `yaml:"api_url"`
}

// Spaces selects spaces by key.
type Spaces struct {
	// Include lists the space keys to crawl; empty means all. Default empty.
	Include []string `yaml:"include"`
	// Exclude lists space keys never crawled, even when included.
	// Default empty.
	Exclude []string `yaml:"exclude"`
}

// Content selects what is crawled inside a space.
type Content struct {
	// IncludeArchived also crawls archived content. Default false.
	// Trashed and draft content is never crawled.
	IncludeArchived bool `yaml:"include_archived"`
	// Attachments limits attachments.
	Attachments Attachments `yaml:"attachments"`
}

// Attachments limits the attachments downloaded.
type Attachments struct {
	// MaxSize is the largest attachment whose bytes are downloaded; a larger
	// one is indexed as metadata only. 0 means no limit. Default 100MB
	// (100,000,000 bytes).
	MaxSize ByteSize `yaml:"max_size"`
	// Extract limits the extractor stage (extract.go).
	Extract Extract `yaml:"extract"`
}

// NATS is the connection to the message bus, or the embedded server.
type NATS struct {
	// URL is a comma-separated list of server URLs
	// (nats://h1:4222,nats://h2:4222). Empty runs the embedded server.
	// Default "".
	URL string `yaml:"url"`
	// DataDir is where the embedded server stores its data. Default ./data.
	DataDir string `yaml:"data_dir"`
	// Listen is the host:port on which the embedded server also accepts
	// clients (port 0: a free one), with a random token, writing its URL
	// to <data_dir>/nats.url so that `conflux status`, `conflux crawl` and
	// the nats CLI reach a running `conflux run`. Empty: in-process only.
	// Default 127.0.0.1:0.
	Listen string `yaml:"listen"`
	// Replicas is the replica count of streams, buckets and object stores,
	// 1 to 5 (3 on a three-node cluster). Default 1.
	Replicas int `yaml:"replicas"`
	// AckWait is how long a message handed to a worker stays its own
	// before JetStream gives it to another replica (a worker that died
	// holding it never acknowledges it); a running handler renews it every
	// third of it. 1s to 1h. Default 60s.
	AckWait Duration `yaml:"ack_wait"`
	// MemoryLimit is the soft memory limit (Go's runtime/debug.SetMemoryLimit)
	// of a `conflux run` process running the embedded server (nats.url
	// empty): the collector runs more often near it, which frees the
	// server's idle block caches sooner. 0 sets none; GOMEMLIMIT in the
	// environment takes precedence. At least 64MiB. Default 200MiB.
	MemoryLimit ByteSize `yaml:"memory_limit"`
	// User and Password authenticate with a user name and password.
	User     string `yaml:"user"`
	Password Secret `yaml:"password"`
	// Token authenticates with a token.
	Token Secret `yaml:"token"`
	// NKeyFile is the path of an NKey seed file.
	NKeyFile string `yaml:"nkey_file"`
	// CredsFile is the path of a user credentials (JWT) file.
	CredsFile string `yaml:"creds_file"`
	// TLS configures TLS to the servers.
	TLS TLS `yaml:"tls"`
	// InsecureAllowUnauthenticated lets the token broker hand out
	// credentials over a NATS server that asks no credentials of its
	// clients (other than the embedded one in process); for local tests
	// only. Default false: the broker refuses to start there.
	InsecureAllowUnauthenticated bool `yaml:"insecure_allow_unauthenticated"`
}

// TLS holds PEM file paths for TLS to NATS.
type TLS struct {
	// CA is the CA bundle that verifies the servers.
	CA string `yaml:"ca"`
	// Cert and Key are the client certificate and key (mutual TLS); set
	// both or neither.
	Cert string `yaml:"cert"`
	Key  string `yaml:"key"`
}

// Sink types.
const SinkFiles = "files"

// Sink is where finished documents go.
type Sink struct {
	// Name names the sink in `sinks:` (required there, unique, letters,
	// digits, "-" and "_"); `sink:` alone is named "default".
	Name string `yaml:"name"`
	// Type is the sink kind: files, postgres, opensearch or
	// elasticsearch. Default files.
	Type string `yaml:"type"`
	// Dir is the output directory of the files sink. Default ./out.
	Dir string `yaml:"dir"`
	DSN Secret `yaml:"dsn"` // postgres: postgres://user:password@host:5432/db?sslmode=… (postgres.go)
	// URLs are the opensearch and elasticsearch nodes, e.g.
	// [https://search:9200]. Required for those types.
	URLs []string `yaml:"urls"`
	// Index is the opensearch or elasticsearch index of the documents;
	// the identities go to Index + "-identities". Default conflux.
	Index string `yaml:"index"`
	// Username and Password are basic-auth credentials of opensearch or
	// elasticsearch; APIKey (elasticsearch only) replaces them. Default "".
	Username string `yaml:"username"`
	Password Secret `yaml:"password"`
	APIKey   Secret `yaml:"api_key"`
	// CA is a PEM file of the CA that signs the search cluster's
	// certificates. Default "": the system's roots.
	CA string `yaml:"ca"`
	// MaxDeleteShare is the largest share (0 to 1) of a space's documents
	// that one full crawl may delete unless forced. Default 0.5.
	MaxDeleteShare float64 `yaml:"max_delete_share"`
	// FileMode is the permission mode of the files the files sink writes
	// (documents, attachments, groups), an octal string, applied exactly
	// whatever the umask. It must give the owner read and write.
	// Default "0600".
	FileMode Mode `yaml:"file_mode"`
	// DirMode is the permission mode of the directories the files sink
	// creates, an octal string, applied exactly whatever the umask; an
	// existing directory keeps its mode. It must give the owner read,
	// write and search. Default "0700".
	DirMode Mode `yaml:"dir_mode"`
}

// Crawl is the crawl schedule under "conflux run" and the fetch concurrency.
type Crawl struct {
	// IncrementalEvery is the interval of incremental crawls. Default 15m.
	IncrementalEvery Duration `yaml:"incremental_every"`
	// FullEvery is the interval of full crawls (which also find
	// deletions). Default 24h.
	FullEvery Duration `yaml:"full_every"`
	// PermissionsEvery is the interval of permission-only crawls.
	// Default 1h.
	PermissionsEvery Duration `yaml:"permissions_every"`
	// Concurrency is the number of items a stage handles at once per
	// process, for the stages the stage table (proto.Stages) gives no
	// figure of their own (the text extractor: it bounds the files parsed
	// at once, and so its memory), 1 to 256. Default 4.
	Concurrency int `yaml:"concurrency"`
	// RequestsPerSecond is the most Confluence requests per second of the
	// whole fleet: the replicas that call Confluence share it (each takes
	// an equal part of it), so adding replicas never multiplies it. 0
	// means no limit of conflux's own (Confluence's 429s still pause every
	// replica). Default 0.
	RequestsPerSecond float64 `yaml:"requests_per_second"`
	// Burst is how many requests one process may send at once under
	// RequestsPerSecond. Default 1 (0 means the default).
	Burst int `yaml:"burst"`
	// FetcherConcurrency is how many spaces one content fetcher process
	// lists at once, 0 to 256; 0 (the default) takes the stage table's
	// figure (8).
	FetcherConcurrency int `yaml:"fetcher_concurrency"`
}

// Log formats.
const (
	LogAuto = "auto"
	LogText = "text"
	LogJSON = "json"
)

// Log is the logging setup (see package logging).
type Log struct {
	// Level is debug, info, warn or error. Default info.
	Level string `yaml:"level"`
	// Format is auto (coloured text on a terminal, JSON otherwise), text or
	// json. Default auto.
	Format string `yaml:"format"`
}

// Atlassian's OAuth 2.0 endpoints, the defaults of OAuth2.
const (
	DefaultAuthURL  = "https://auth.atlassian.com/authorize"
	DefaultTokenURL = "https://auth.atlassian.com/oauth/token"
	DefaultAPIURL   = "https://api.atlassian.com"
)

// DefaultUsersCSVMaxBadRows is the default of users_csv_max_bad_rows, the
// same as userscsv.DefaultMaxBadRows.
const DefaultUsersCSVMaxBadRows = 100

// Default returns the configuration with every default set. It is the one
// place where defaults live. Site and the credentials have no default.
func Default() Config {
	return Config{
		Auth: Auth{
			Mode: AuthAPIToken,
			OAuth2: OAuth2{
				AuthURL:  DefaultAuthURL,
				TokenURL: DefaultTokenURL,
				APIURL:   DefaultAPIURL,
			},
		},
		Content: Content{Attachments: Attachments{MaxSize: 100 * MB, Extract: DefaultExtract()}},
		Rules:   defaultRules(),
		NATS: NATS{DataDir: "./data", Listen: "127.0.0.1:0", Replicas: 1, AckWait: Duration(60 * time.Second),
			MemoryLimit: DefaultMemoryLimit},
		UsersCSVMaxBadRows: DefaultUsersCSVMaxBadRows,
		Sink:               DefaultSink(),
		Crawl: Crawl{
			IncrementalEvery: Duration(15 * time.Minute),
			FullEvery:        Duration(24 * time.Hour),
			PermissionsEvery: Duration(time.Hour),
			Concurrency:      4,
		},
		Log:   Log{Level: "info", Format: LogAuto},
		Audit: Audit{MaxCalls: DefaultAuditMaxCalls, MaxCallsPerHour: DefaultAuditMaxCallsPerHour},
	}
}

// SiteHost returns the host (with the port, if any) of Site in lower case,
// e.g. "acme.atlassian.net", or "" when Site is not a URL.
func (c Config) SiteHost() string {
	u, err := url.Parse(strings.TrimSpace(c.Site))
	if err != nil {
		return ""
	}
	return strings.ToLower(u.Host)
}
