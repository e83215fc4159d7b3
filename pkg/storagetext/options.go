package storagetext

// Options supply what a page's storage format only refers to: the names of
// mentioned people and the text of included pages. The zero Options leave
// mentions and includes out.
type Options struct {
	// UserName returns the display name of the user with the given
	// Atlassian account id, or "" when it is not known. A mention becomes
	// that name; without UserName, or when it returns "", the mention is
	// left out. An account id is never written.
	UserName func(accountID string) string

	// Include returns the plain text of the page an include or
	// excerpt-include macro refers to, and whether there is any. spaceKey
	// is "" when the macro names no space (the including page's own).
	// Nothing is fetched by this package: without Include, or when it
	// returns !ok, the macro yields nothing. Include is the caller's to keep
	// from recursing without end (a page that includes itself).
	Include func(spaceKey, title string) (text string, ok bool)

	// Excerpt returns the text of the excerpt of the page an
	// excerpt-include macro refers to (see ExcerptText), as Include does
	// for include. Without Excerpt, excerpt-include asks Include.
	Excerpt func(spaceKey, title string) (text string, ok bool)
}

// TextWith converts a storage-format body to plain text as Text does,
// asking o for the names of mentioned users and the text of included
// pages. It never panics.
func TextWith(storage string, o Options) (string, error) {
	return convert(storage, o)
}

// userName returns the display name of a mentioned user, or "".
func (o Options) userName(accountID string) string {
	if o.UserName == nil || accountID == "" {
		return ""
	}
	return o.UserName(accountID)
}

// include returns the text of an included page, or of its excerpt, and
// whether there is any.
func (o Options) include(spaceKey, title string, excerpt bool) (string, bool) {
	f := o.Include
	if excerpt && o.Excerpt != nil {
		f = o.Excerpt
	}
	if f == nil || title == "" {
		return "", false
	}
	return f(spaceKey, title)
}
