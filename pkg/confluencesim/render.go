package confluencesim

import (
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"html"
	"net/url"
	"regexp"
	"strconv"
	"strings"
)

// v2 renderings of the tenant's objects, field names as in the v2 spec.

func (q *req) spaceV2(s *Space) map[string]any {
	m := map[string]any{
		"id": s.ID, "key": s.Key, "name": s.Name, "type": s.Type, "status": s.Status,
		"authorId": s.AuthorID, "createdAt": ts(s.CreatedAt), "homepageId": s.HomepageID,
		"_links": map[string]any{"webui": "/spaces/" + s.Key},
	}
	if s.HomepageID == "" {
		m["homepageId"] = nil
	}
	if s.Type != "personal" {
		m["currentActiveAlias"] = s.Key
	}
	switch f := q.r.URL.Query().Get("description-format"); f {
	case "plain", "view":
		m["description"] = map[string]any{f: map[string]any{"representation": f, "value": ""}}
	}
	if q.r.URL.Query().Get("include-icon") == "true" {
		p := "/download/attachments/" + s.ID + "/space-icon.png"
		m["icon"] = map[string]any{"path": p, "apiDownloadLink": "/download/attachments/" + s.ID + "/space-icon.png?api=v2"}
	}
	return m
}

func titlePath(t string) string { return url.QueryEscape(t) }

// webui is the content's `_links.webui`, context-relative.
func (ix *index) webui(c *Content) string {
	s := ix.spaceOf(c)
	key := ""
	if s != nil {
		key = s.Key
	}
	switch c.Type {
	case "page":
		if s != nil && s.HomepageID == c.ID {
			return "/spaces/" + key + "/overview"
		}
		return "/spaces/" + key + "/pages/" + c.ID + "/" + titlePath(c.Title)
	case "blogpost":
		d := c.CreatedAt.UTC()
		return "/spaces/" + key + "/blog/" + d.Format("2006/01/02") + "/" + c.ID + "/" + titlePath(c.Title)
	case "folder":
		// Folder webui form UNCONFIRMED.
		return "/spaces/" + key + "/folder/" + c.ID
	case "comment":
		if k := ix.container(c); k != nil {
			return ix.webui(k) + "?focusedCommentId=" + c.ID
		}
	}
	return "/spaces/" + key
}

func tinyui(id string) string {
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], uint64(numID(id)))
	n := 8
	for n > 1 && b[n-1] == 0 {
		n--
	}
	return "/x/" + base64.RawURLEncoding.EncodeToString(b[:n])
}

func versionV2(c *Content) map[string]any {
	return map[string]any{"createdAt": ts(c.UpdatedAt), "message": "", "number": c.Version, "minorEdit": false, "authorId": c.AuthorID}
}

// body renders the requested representation; {} when none was asked for.
func body(c *Content, format string) map[string]any {
	switch format {
	case "":
		return map[string]any{}
	case "atlas_doc_format":
		return map[string]any{format: map[string]any{"representation": format, "value": adf(c.Body)}}
	case "storage":
		return map[string]any{format: map[string]any{"representation": format, "value": c.Body}}
	default: // view, export_view, styled_view, … : the storage HTML stands in for the rendering.
		return map[string]any{format: map[string]any{"representation": format, "value": c.Body}}
	}
}

var tagRE = regexp.MustCompile(`<[^>]*>`)

// plainText strips the markup of a storage-format body.
func plainText(storage string) string {
	return strings.Join(strings.Fields(html.UnescapeString(tagRE.ReplaceAllString(storage, " "))), " ")
}

// adf is a minimal Atlassian document with the body's text in one
// paragraph.
func adf(storage string) string {
	para := map[string]any{"type": "paragraph", "content": []any{}}
	if t := plainText(storage); t != "" {
		para["content"] = []any{map[string]any{"type": "text", "text": t}}
	}
	b, _ := json.Marshal(map[string]any{"type": "doc", "version": 1, "content": []any{para}})
	return string(b)
}

// parentV2 is (parentId, parentType) as reported: null at the root and for
// trashed items.
func (ix *index) parentV2(c *Content) (any, any) {
	if c.Status == "trashed" {
		return nil, nil
	}
	p := ix.parentOf(c)
	if p == nil {
		return nil, nil
	}
	return p.ID, p.Type
}

func (q *req) pageV2(c *Content, format string) map[string]any {
	pid, ptype := q.ix.parentV2(c)
	var pos any = c.Position
	if c.Status == "trashed" {
		pos = nil
	}
	s := q.ix.spaceOf(c)
	m := map[string]any{
		"id": c.ID, "status": c.Status, "title": c.Title, "spaceId": c.SpaceID,
		"parentId": pid, "parentType": ptype, "position": pos,
		"authorId": c.AuthorID, "ownerId": c.AuthorID, "lastOwnerId": nil,
		"createdAt": ts(c.CreatedAt), "version": versionV2(c), "body": body(c, format),
		"_links": q.ix.pageLinks(c, s),
	}
	return m
}

func (ix *index) pageLinks(c *Content, s *Space) map[string]any {
	key := ""
	if s != nil {
		key = s.Key
	}
	return map[string]any{
		"webui":    ix.webui(c),
		"editui":   "/pages/resumedraft.action?draftId=" + c.ID,
		"edituiv2": "/spaces/" + key + "/pages/edit-v2/" + c.ID,
		"tinyui":   tinyui(c.ID),
	}
}

func (q *req) blogpostV2(c *Content, format string) map[string]any {
	return map[string]any{
		"id": c.ID, "status": c.Status, "title": c.Title, "spaceId": c.SpaceID,
		"authorId": c.AuthorID, "createdAt": ts(c.CreatedAt), "version": versionV2(c), "body": body(c, format),
		"_links": q.ix.pageLinks(c, q.ix.spaceOf(c)),
	}
}

func (q *req) folderV2(c *Content) map[string]any {
	pid, ptype := q.ix.parentV2(c)
	var pos any = c.Position
	if c.Status == "trashed" {
		pos = nil
	}
	links := q.ix.pageLinks(c, q.ix.spaceOf(c))
	links["webui"] = q.ix.webui(c)
	return map[string]any{
		"id": c.ID, "type": "folder", "status": c.Status, "title": c.Title,
		"parentId": pid, "parentType": ptype, "position": pos,
		"authorId": c.AuthorID, "ownerId": c.AuthorID, "createdAt": ts(c.CreatedAt), "spaceId": c.SpaceID,
		"version": versionV2(c), "_links": links,
	}
}

var mediaDescriptions = map[string]string{
	"image/png": "PNG Image", "image/jpeg": "JPEG Image", "application/pdf": "PDF Document",
	"text/plain": "Text File", "text/csv": "CSV File", "application/zip": "Zip Archive",
	"application/json": "JSON File",
}

func (q *req) attachmentV2(a *Attachment) map[string]any {
	k := q.ix.content[a.ContainerID]
	desc := mediaDescriptions[a.MediaType]
	if desc == "" {
		desc = "File"
	}
	download := "/download/attachments/" + a.ContainerID + "/" + url.PathEscape(a.Title) + "?version=" + strconv.Itoa(a.Version) +
		"&modificationDate=" + strconv.FormatInt(a.UpdatedAt.UnixMilli(), 10) + "&cacheVersion=1&api=v2"
	webui := ""
	if k != nil {
		webui = q.ix.webui(k) + "?preview=" + url.QueryEscape("/"+a.ContainerID+"/"+strings.TrimPrefix(a.ID, "att")+"/"+a.Title)
	}
	m := map[string]any{
		"id": a.ID, "status": a.Status, "title": a.Title, "createdAt": ts(a.CreatedAt),
		"mediaType": a.MediaType, "mediaTypeDescription": desc, "comment": a.Comment, "fileId": a.FileID,
		"fileSize": a.Size, "webuiLink": webui, "downloadLink": download,
		"version": map[string]any{"createdAt": ts(a.UpdatedAt), "message": a.Comment, "number": a.Version, "minorEdit": false, "authorId": a.AuthorID},
		"_links":  map[string]any{"webui": webui, "download": download},
	}
	if k != nil && k.Type == "blogpost" {
		m["blogPostId"] = k.ID
	} else {
		m["pageId"] = a.ContainerID
	}
	return m
}

// commentV2 renders a comment; root comments name their page or blog
// post, replies their parent comment.
func (q *req) commentV2(c *Content, format string) map[string]any {
	m := map[string]any{
		"id": c.ID, "status": c.Status, "title": c.Title, "version": versionV2(c), "body": body(c, format),
		"_links": map[string]any{"webui": q.ix.webui(c)},
	}
	if c.ParentCommentID != "" {
		m["parentCommentId"] = c.ParentCommentID
	} else if k := q.ix.content[c.ContainerID]; k != nil && k.Type == "blogpost" {
		m["blogPostId"] = k.ID
	} else {
		m["pageId"] = c.ContainerID
	}
	if c.CommentKind == "inline" {
		rs := c.ResolutionStatus
		if rs == "" {
			rs = "open"
		}
		m["resolutionStatus"] = rs
		m["properties"] = map[string]any{"inlineMarkerRef": "marker-" + c.ID, "inlineOriginalSelection": firstWords(plainText(c.Body), 3)}
	}
	return m
}

func firstWords(s string, n int) string {
	f := strings.Fields(s)
	return strings.Join(f[:min(n, len(f))], " ")
}

// labelID is a stable numeric id for a label name.
func labelID(name string) string {
	var h uint32 = 2166136261
	for i := 0; i < len(name); i++ {
		h = (h ^ uint32(name[i])) * 16777619
	}
	return strconv.FormatUint(uint64(h%900000000+100000000), 10)
}

func labelV2(name string) map[string]any {
	return map[string]any{"id": labelID(name), "name": name, "prefix": "global"}
}

func (ix *index) personalSpaceOf(u *User) *Space {
	for _, s := range ix.t.Spaces {
		if s.Type == "personal" && s.AuthorID == u.AccountID {
			return s
		}
	}
	return nil
}

// email is what the API shows: "" when the user hides it.
func email(u *User) string {
	if u.EmailHidden {
		return ""
	}
	return u.Email
}

func accountStatus(u *User) string {
	if u.Active {
		return "active"
	}
	return "inactive"
}

func (q *req) userV2(u *User) map[string]any {
	m := map[string]any{
		"accountId": u.AccountID, "accountType": u.AccountType, "accountStatus": accountStatus(u),
		"email": email(u), "publicName": u.PublicName, "displayName": u.DisplayName, "timeZone": "Etc/UTC",
		"isExternalCollaborator": false,
		"profilePicture":         map[string]any{"path": "/wiki/aa-avatar/" + u.AccountID, "isDefault": true},
	}
	if s := q.ix.personalSpaceOf(u); s != nil {
		m["personalSpaceId"] = s.ID
	}
	return m
}
