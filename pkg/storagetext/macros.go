package storagetext

import "strings"

// macroSpec says what of a macro, beyond its body, is text.
type macroSpec struct {
	params  []string // parameters whose values are kept as text (compared without case)
	inline  bool     // flows within its line (status, jira) instead of standing on its own lines
	label   string   // written in front of the macro's first line ("Info:")
	include bool     // include, excerpt-include: the referenced page's text is the caller's to supply
	excerpt bool     // excerpt-include: the referenced page's excerpt
}

// keeps reports whether the parameter named name is kept as text.
func (s *macroSpec) keeps(name string) bool {
	if s == nil {
		return false
	}
	for _, p := range s.params {
		if strings.EqualFold(p, name) {
			return true
		}
	}
	return false
}

// macroSpecs holds the macros whose parameters carry meaning, and those
// known to carry only presentation. A macro not listed keeps its body and
// drops its parameters, as presentation macros do.
var macroSpecs = func() map[string]*macroSpec {
	title := []string{"title"}
	m := map[string]*macroSpec{
		"jira":            {params: []string{"key", "jqlQuery"}, inline: true},
		"status":          {params: title, inline: true},
		"expand":          {params: title},
		"panel":           {params: title},
		"info":            {params: title, label: "Info:"},
		"note":            {params: title, label: "Note:"},
		"warning":         {params: title, label: "Warning:"},
		"tip":             {params: title, label: "Tip:"},
		"include":         {params: []string{""}, include: true},
		"excerpt-include": {params: []string{""}, include: true, excerpt: true},
	}
	for _, name := range []string{"view-file", "viewfile", "viewpdf", "viewdoc", "viewxls", "viewppt"} {
		m[name] = &macroSpec{params: []string{"name"}} // the attachment's file name
	}
	// Parameters only for presentation (layout, queries, options), none of
	// them text; what body these macros have is kept (column and section
	// wrap text, details holds the page properties table, code its code).
	for _, name := range []string{"toc", "toc-zone", "children", "pagetree", "pagetreesearch",
		"recently-updated", "contentbylabel", "anchor", "column", "section", "space-details",
		"gallery", "attachments", "livesearch", "blog-posts", "contributors", "listlabels",
		"popular-labels", "create-from-template", "details", "excerpt", "code", "noformat"} {
		m[name] = &macroSpec{}
	}
	return m
}()

// lookupMacro returns the spec of the macro named name, or nil.
func lookupMacro(name string) *macroSpec {
	if s, ok := macroSpecs[name]; ok {
		return s
	}
	return macroSpecs[strings.ToLower(name)]
}
