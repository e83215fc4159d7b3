package confluencesim

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"time"
)

// Tenant is the whole state of one simulated Confluence Cloud site. It is the
// ground truth tests compare a crawl against: every endpoint of the simulator
// answers from it, and Server.Mutate changes it between crawls.
//
// Ids are numeric strings (attachments "att…"), as in the real API. A Tenant
// is not safe for concurrent use; the Server guards its own copy.
type Tenant struct {
	// Site is the public site URL the tenant pretends to be
	// ("https://acme.atlassian.net"); it names the site in OAuth
	// accessible-resources. The `_links.base` of responses is the URL the
	// simulator actually listens on.
	Site string
	// CloudID is the site's cloud id (a UUID); the gateway path
	// /ex/confluence/{cloudId} must carry it.
	CloudID     string
	Users       []*User
	Groups      []*Group
	Spaces      []*Space
	Content     []*Content
	Attachments []*Attachment

	// Crawlers lists account ids that see every space and every item
	// whatever the space permissions and read restrictions say (an
	// admin-like crawler account). Every other caller sees only what the
	// permission rule grants it. Added field (not pinned).
	Crawlers []string `json:",omitempty"`
	// Admins lists account ids that hold the 'Confluence Administrator'
	// global permission: only they may ask the permission check about
	// another user or a group (POST /rest/api/content/{id}/permission/check).
	// Demo and Generate make their crawler account an admin. Added field.
	Admins []string `json:",omitempty"`
	// DeletedGroups keeps groups that were deleted while restrictions still
	// name them, so that the v1 restriction endpoints can report their name
	// (Confluence "may return deleted groups"). A restriction group id found
	// in neither list is reported with its id as name. Added field.
	DeletedGroups []*Group `json:",omitempty"`
	// NextID is the next numeric id handed out by the mutation helpers
	// (0: one past the highest id in the tenant). Added field.
	NextID int64 `json:",omitempty"`
}

// User is one Atlassian account.
type User struct {
	AccountID   string
	DisplayName string
	PublicName  string
	// Email is the account's address. When EmailHidden is set the API
	// answers "" (privacy setting), but tests still know the address.
	Email       string
	EmailHidden bool
	// AccountType is "atlassian" or "app" (bot/service account).
	AccountType string
	// Active is false for a deactivated account (still returned by the user
	// endpoints with accountStatus "inactive").
	Active bool
	// APIToken, when set, lets the user call the site with Basic
	// email:APIToken.
	APIToken string `json:",omitempty"`
}

// Group is one user group.
type Group struct {
	ID      string
	Name    string
	Members []string // account ids
}

// Space is one space.
type Space struct {
	ID          string
	Key         string
	Name        string
	Type        string // global|personal
	Status      string // current|archived
	HomepageID  string
	AuthorID    string
	CreatedAt   time.Time
	Permissions []SpacePermission
}

// SpacePermission is one (principal, operation) grant on a space. Only
// Key "read" with TargetType "space" gives view access.
type SpacePermission struct {
	ID            string
	PrincipalType string // user|group|role
	PrincipalID   string // account id | group id | "ANONYMOUS"
	Key           string // read|create|delete|administer|…
	TargetType    string // space|page|blogpost|comment|attachment|…
}

// Content is a page, blog post, folder or comment.
type Content struct {
	ID      string
	Type    string // page|blogpost|folder|comment
	Status  string // current|archived|trashed|draft|deleted
	SpaceID string
	Title   string
	// ParentID is the parent page or folder of a page or folder; "" at the
	// space root and for blog posts and comments.
	ParentID string
	// Position orders siblings (childPosition); lower first.
	Position int
	// ContainerID is the page or blog post a comment belongs to.
	ContainerID string
	// CommentKind is "footer" or "inline" for comments.
	CommentKind string
	// ParentCommentID is the comment a reply answers; "" for root comments.
	ParentCommentID string
	// Body is the storage-format XHTML.
	Body         string
	Labels       []string
	Version      int
	CreatedAt    time.Time
	UpdatedAt    time.Time
	AuthorID     string
	Restrictions Restrictions
	// ResolutionStatus of an inline comment: open (default), resolved,
	// reopened, dangling. Added field.
	ResolutionStatus string `json:",omitempty"`
}

// Restrictions are the direct (not inherited) restrictions of one item.
// Empty lists mean "not restricted" for that operation.
type Restrictions struct {
	ReadUsers    []string // account ids
	ReadGroups   []string // group ids (a group id may name a deleted group)
	UpdateUsers  []string
	UpdateGroups []string
}

// Attachment is one file attached to a page or blog post.
type Attachment struct {
	ID          string // "att…"
	ContainerID string // page or blog post id
	Title       string // file name
	MediaType   string
	FileID      string // media file id (a UUID), distinct from ID
	Status      string // current|archived|trashed
	// Size is the length in bytes.
	Size int64
	// Data holds the bytes; nil means Size bytes generated from Seed.
	// Replace it rather than modify it in place: downloads in flight
	// read it without the lock.
	Data      []byte `json:",omitempty"`
	Seed      int64
	Version   int
	CreatedAt time.Time
	UpdatedAt time.Time
	AuthorID  string
	Labels    []string
	// Comment is the attachment's version comment. Added field.
	Comment string `json:",omitempty"`
	// Text is a phrase of the text in Data that an extractor finds (see
	// SampleFiles); empty when the bytes are generated. Added field.
	Text string `json:",omitempty"`
}

// Bytes returns the attachment's content: Data when set, otherwise Size
// pseudo-random bytes generated from Seed on the fly (never held in memory,
// the same on every call).
func (t *Tenant) Bytes(a *Attachment) io.Reader {
	if a.Data != nil {
		return bytes.NewReader(a.Data)
	}
	return io.LimitReader(&seededReader{r: rand.NewChaCha8(seedKey(a.Seed))}, a.Size)
}

type seededReader struct{ r *rand.ChaCha8 }

func (s *seededReader) Read(p []byte) (int, error) { return s.r.Read(p) }

func seedKey(seed int64) [32]byte {
	var k [32]byte
	for i := range 8 {
		k[i] = byte(uint64(seed) >> (8 * i))
	}
	copy(k[8:], "confluencesim attachment bytes")
	return k
}

// LoadTenant reads a tenant saved with Save.
func LoadTenant(path string) (*Tenant, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("load tenant %s: %w", path, err)
	}
	var t Tenant
	if err := json.Unmarshal(b, &t); err != nil {
		return nil, fmt.Errorf("load tenant %s: %w", path, err)
	}
	return &t, nil
}

// Save writes the tenant as indented JSON to path.
func (t *Tenant) Save(path string) error {
	b, err := json.MarshalIndent(t, "", "  ")
	if err != nil {
		return fmt.Errorf("save tenant %s: %w", path, err)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		return fmt.Errorf("save tenant %s: %w", path, err)
	}
	return nil
}

// Clone returns a deep copy of the tenant.
func (t *Tenant) Clone() *Tenant {
	b, err := json.Marshal(t)
	if err != nil {
		panic(fmt.Sprintf("confluencesim: clone tenant: %v", err))
	}
	var c Tenant
	if err := json.Unmarshal(b, &c); err != nil {
		panic(fmt.Sprintf("confluencesim: clone tenant: %v", err))
	}
	return &c
}
