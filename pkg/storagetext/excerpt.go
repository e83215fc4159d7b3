package storagetext

// ExcerptText converts only the bodies of a storage-format page's excerpt
// macros (<ac:structured-macro ac:name="excerpt">), with the rules and
// Options of TextWith: the text an excerpt-include macro of another page
// shows. A page without an excerpt gives "". Hidden excerpts (the
// macro's hidden parameter) count: they are hidden on their own page
// only. It never panics.
func ExcerptText(storage string, o Options) (string, error) {
	return convertWith(storage, converter{o: o, excerpts: true})
}
