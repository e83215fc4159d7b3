package confluence

import (
	"cmp"
	"errors"
	"time"
)

// Version is the version block of v2 content: number, when and by whom.
type Version struct {
	Number    int       `json:"number"`
	CreatedAt time.Time `json:"createdAt"`
	AuthorID  string    `json:"authorId"`
	Message   string    `json:"message"`
	MinorEdit bool      `json:"minorEdit"`
}

// Links are the _links of an item. Paths are relative to the site's /wiki
// (prefix the site URL + "/wiki" to open them).
type Links struct {
	WebUI    string `json:"webui"`
	EditUI   string `json:"editui"`
	TinyUI   string `json:"tinyui"`
	Download string `json:"download"`
	Base     string `json:"base"`
}

// Body holds the representations of a body that were asked for; the
// client asks for "storage" (XHTML) wherever bodies are listed.
type Body struct {
	Storage BodyValue `json:"storage"`
}

// BodyValue is one representation of a body.
type BodyValue struct {
	Representation string `json:"representation"`
	Value          string `json:"value"`
}

// Space is a space (v2 SpaceBulk). Type is global, personal, …; Status is
// current or archived.
type Space struct {
	ID         string    `json:"id"`
	Key        string    `json:"key"`
	Name       string    `json:"name"`
	Type       string    `json:"type"`
	Status     string    `json:"status"`
	AuthorID   string    `json:"authorId"`
	CreatedAt  time.Time `json:"createdAt"`
	HomepageID string    `json:"homepageId"`
	Links      Links     `json:"_links"`
}

// Page is a page (v2 PageBulk/PageSingle). ParentID is "" at the space
// root; ParentType is page, folder, …. Body is filled when listed or read
// with bodies (the client always asks for storage).
type Page struct {
	ID         string    `json:"id"`
	Status     string    `json:"status"`
	Title      string    `json:"title"`
	SpaceID    string    `json:"spaceId"`
	ParentID   string    `json:"parentId"`
	ParentType string    `json:"parentType"`
	Position   int       `json:"position"`
	AuthorID   string    `json:"authorId"`
	OwnerID    string    `json:"ownerId"`
	CreatedAt  time.Time `json:"createdAt"`
	Version    Version   `json:"version"`
	Body       Body      `json:"body"`
	Links      Links     `json:"_links"`
}

// BlogPost is a blog post (v2 BlogPostBulk); blog posts have no parent.
type BlogPost struct {
	ID        string    `json:"id"`
	Status    string    `json:"status"`
	Title     string    `json:"title"`
	SpaceID   string    `json:"spaceId"`
	AuthorID  string    `json:"authorId"`
	CreatedAt time.Time `json:"createdAt"`
	Version   Version   `json:"version"`
	Body      Body      `json:"body"`
	Links     Links     `json:"_links"`
}

// Folder is a folder (v2 FolderSingle). Folders have no body.
type Folder struct {
	ID         string    `json:"id"`
	Type       string    `json:"type"`
	Status     string    `json:"status"`
	Title      string    `json:"title"`
	SpaceID    string    `json:"spaceId"`
	ParentID   string    `json:"parentId"`
	ParentType string    `json:"parentType"`
	Position   int       `json:"position"`
	AuthorID   string    `json:"authorId"`
	OwnerID    string    `json:"ownerId"`
	CreatedAt  time.Time `json:"createdAt"`
	Version    Version   `json:"version"`
	Links      Links     `json:"_links"`
}

// Child is a row of direct-children: a page, folder, whiteboard, database
// or embed directly under a page or folder. SpaceID may be "" (not always
// sent).
type Child struct {
	ID            string `json:"id"`
	Status        string `json:"status"`
	Title         string `json:"title"`
	Type          string `json:"type"`
	SpaceID       string `json:"spaceId"`
	ChildPosition int    `json:"childPosition"`
}

// Ancestor is one node above a page or folder: Type is page, folder, ….
type Ancestor struct {
	ID   string `json:"id"`
	Type string `json:"type"`
}

// Attachment is an attachment (v2 AttachmentBulk); ID is "att…", Title the
// file name, FileSize in bytes. One of PageID, BlogPostID, CustomContentID
// names the container (see ContainerID).
type Attachment struct {
	ID                   string    `json:"id"`
	Status               string    `json:"status"`
	Title                string    `json:"title"`
	CreatedAt            time.Time `json:"createdAt"`
	PageID               string    `json:"pageId"`
	BlogPostID           string    `json:"blogPostId"`
	CustomContentID      string    `json:"customContentId"`
	MediaType            string    `json:"mediaType"`
	MediaTypeDescription string    `json:"mediaTypeDescription"`
	Comment              string    `json:"comment"`
	FileID               string    `json:"fileId"`
	FileSize             int64     `json:"fileSize"`
	WebUILink            string    `json:"webuiLink"`
	DownloadLink         string    `json:"downloadLink"`
	Version              Version   `json:"version"`
	Links                Links     `json:"_links"`
}

// ContainerID returns the id of the page, blog post or custom content the
// attachment belongs to.
func (a Attachment) ContainerID() string {
	return cmp.Or(a.PageID, a.BlogPostID, a.CustomContentID)
}

// Label is a label on content.
type Label struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	Prefix string `json:"prefix"`
}

// Comment kinds.
const (
	FooterComment = "footer"
	InlineComment = "inline"
)

// Comment is a footer or inline comment, or a reply to one. Kind is set by
// the client (footer or inline). Root comments name their container
// (PageID, BlogPostID, …; see ContainerID); replies carry ParentCommentID,
// which the client fills from the parent when the API leaves it out, and
// the container of their parent when listed with CommentChildren.
type Comment struct {
	ID               string  `json:"id"`
	Kind             string  `json:"-"`
	Status           string  `json:"status"`
	Title            string  `json:"title"`
	PageID           string  `json:"pageId"`
	BlogPostID       string  `json:"blogPostId"`
	AttachmentID     string  `json:"attachmentId"`
	CustomContentID  string  `json:"customContentId"`
	ParentCommentID  string  `json:"parentCommentId"`
	ResolutionStatus string  `json:"resolutionStatus"`
	Version          Version `json:"version"`
	Body             Body    `json:"body"`
	Properties       struct {
		InlineMarkerRef         string `json:"inlineMarkerRef"`
		InlineOriginalSelection string `json:"inlineOriginalSelection"`
	} `json:"properties"`
	Links Links `json:"_links"`
}

// ContainerID returns the id of the page, blog post, attachment or custom
// content the comment is on ("" when unknown).
func (c Comment) ContainerID() string {
	return cmp.Or(c.PageID, c.BlogPostID, c.AttachmentID, c.CustomContentID)
}

// SpacePermission is one space permission assignment: a principal (type
// user, group or role; id an account id, group id or role name such as
// ANONYMOUS) granted an operation (key read, create, …; target space, page,
// …). View access is {read, space}.
type SpacePermission struct {
	ID        string `json:"id"`
	Principal struct {
		Type string `json:"type"`
		ID   string `json:"id"`
	} `json:"principal"`
	Operation struct {
		Key        string `json:"key"`
		TargetType string `json:"targetType"`
	} `json:"operation"`
}

// User is an account as v2 (users-bulk) and v1 (restrictions, group
// members) return it. Email is "" when the user's privacy setting hides it.
// AccountStatus (active, inactive, closed, unknown) comes from v2 only; Type
// (known, unknown, anonymous) from v1 only.
type User struct {
	AccountID              string `json:"accountId"`
	AccountType            string `json:"accountType"`
	AccountStatus          string `json:"accountStatus"`
	Type                   string `json:"type"`
	Email                  string `json:"email"`
	PublicName             string `json:"publicName"`
	DisplayName            string `json:"displayName"`
	IsExternalCollaborator bool   `json:"isExternalCollaborator"`
}

// Group is a group; a restriction may name a group that was deleted.
type Group struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	Type string `json:"type"`
}

// Restriction lists who a read (or update) restriction admits directly. An
// empty Restriction means the item itself is not restricted (ancestors may
// still be: restrictions are inherited, but not listed).
type Restriction struct {
	Users  []User
	Groups []Group
}

// Empty reports whether the restriction admits nobody specifically, that
// is, the item carries no restriction of its own.
func (r Restriction) Empty() bool { return len(r.Users) == 0 && len(r.Groups) == 0 }

// SearchResult is one CQL search hit. Content is set for content results
// (page, blogpost, comment, attachment, folder).
type SearchResult struct {
	Content      SearchContent `json:"content"`
	Title        string        `json:"title"`
	Excerpt      string        `json:"excerpt"`
	URL          string        `json:"url"`
	EntityType   string        `json:"entityType"`
	LastModified time.Time     `json:"lastModified"`
}

// SearchContent is the content of a search hit (v1 Content, as much as the
// search returns without expansion).
type SearchContent struct {
	ID     string `json:"id"`
	Type   string `json:"type"`
	Status string `json:"status"`
	Title  string `json:"title"`
	Space  struct {
		Key string `json:"key"`
	} `json:"space"`
	Version struct {
		Number int       `json:"number"`
		When   time.Time `json:"when"`
		By     User      `json:"by"`
	} `json:"version"`
	Links struct {
		WebUI  string `json:"webui"`
		TinyUI string `json:"tinyui"`
	} `json:"_links"`
	// Container is the page or blog post a comment or attachment is on,
	// when the search asked for expand=content.container.
	Container *SearchContainer `json:"container"`
	// Ancestors is the path above the hit, root first, when the search
	// asked for expand=content.ancestors.
	Ancestors []SearchContainer `json:"ancestors"`
	// History carries the creator and creation time, with
	// expand=content.history.
	History *SearchHistory `json:"history"`
	// Metadata carries the labels, with expand=content.metadata.labels.
	Metadata *SearchMetadata `json:"metadata"`
	// Restrictions carries the read restriction set directly on the hit,
	// with expand=content.restrictions.read.restrictions.user and
	// ….group.
	Restrictions *SearchRestrictions `json:"restrictions"`
}

// SearchHistory is the history block of a search hit.
type SearchHistory struct {
	CreatedBy   User      `json:"createdBy"`
	CreatedDate time.Time `json:"createdDate"`
}

// SearchMetadata is the metadata block of a search hit.
type SearchMetadata struct {
	Labels *Expanded[Label] `json:"labels"`
}

// SearchRestrictions is the restrictions block of a search hit; only the
// read operation is asked for.
type SearchRestrictions struct {
	Read *struct {
		Restrictions struct {
			User  *Expanded[User]  `json:"user"`
			Group *Expanded[Group] `json:"group"`
		} `json:"restrictions"`
	} `json:"read"`
}

// Expanded is a v1 collection expanded inside another object. The API
// caps it: one whose size reaches its limit, or that carries a next link,
// may hold only the first rows (Complete is false) and must be read again
// through its own route.
type Expanded[T any] struct {
	Results []T        `json:"results"`
	Start   int        `json:"start"`
	Limit   int        `json:"limit"`
	Size    int        `json:"size"`
	Links   *listLinks `json:"_links"`
}

// Complete reports whether the collection holds every row: no next link,
// and fewer rows than its limit.
func (e *Expanded[T]) Complete() bool {
	if e == nil {
		return false
	}
	if e.Links != nil && e.Links.Next != "" {
		return false
	}
	n := max(e.Size, len(e.Results))
	return e.Limit <= 0 || n < e.Limit
}

// SearchContainer is the container of a search hit (v1 Content, short).
type SearchContainer struct {
	ID    string `json:"id"`
	Type  string `json:"type"`
	Title string `json:"title"`
}

// errNoID is the check failure of an item without id.
var errNoID = errors.New("has no id")

// item is a list row the client can check for the fields it relies on.
type item interface{ check() error }

func needID(id string) error {
	if id == "" {
		return errNoID
	}
	return nil
}

func (s Space) check() error           { return needID(s.ID) }
func (p Page) check() error            { return needID(p.ID) }
func (b BlogPost) check() error        { return needID(b.ID) }
func (f Folder) check() error          { return needID(f.ID) }
func (c Child) check() error           { return needID(c.ID) }
func (a Ancestor) check() error        { return needID(a.ID) }
func (a Attachment) check() error      { return needID(a.ID) }
func (l Label) check() error           { return needID(l.ID) }
func (c Comment) check() error         { return needID(c.ID) }
func (p SpacePermission) check() error { return needID(p.Principal.ID) }
func (u User) check() error            { return needID(u.AccountID) }
func (g Group) check() error           { return needID(g.ID) }

// check accepts hits without content (a space or user hit) but not
// content without id.
func (r SearchResult) check() error {
	if r.EntityType == "content" || r.Content.Type != "" {
		return needID(r.Content.ID)
	}
	return nil
}
