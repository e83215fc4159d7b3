package confluencesim

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// modelledExpansions are the Content expansions content search answers
// (with the "content." prefix on /rest/api/search).
var modelledExpansions = []string{
	"container", "ancestors", "version", "history", "space", "metadata.labels",
	"restrictions.read.restrictions.user", "restrictions.read.restrictions.group",
	"restrictions.update.restrictions.user", "restrictions.update.restrictions.group",
}

// unmodelledExpansions are the other expansions the v1 document lists for
// Content (parameter contentExpand); the simulator keeps no data for them
// and refuses them with 400, so a crawler cannot come to rely on them.
var unmodelledExpansions = []string{
	"childTypes.all", "childTypes.attachment", "childTypes.comment", "childTypes.page",
	"metadata.currentuser", "metadata.properties", "metadata.frontend", "operations",
	"children.page", "children.attachment", "children.comment",
	"history.lastUpdated", "history.previousVersion", "history.contributors", "history.nextVersion",
	"body", "body.storage", "body.view", "descendants.page", "descendants.attachment", "descendants.comment",
	"extensions.inlineProperties", "extensions.resolution",
}

// confcloud77618 are the expansions that, on Cloud, make the whole batch
// answer 404 when an ancestor of a hit is a draft, trashed or outdated
// (CONFCLOUD-77618 / 76424). The simulator answers 404 whenever one is
// asked, whatever the ancestors: a crawler must fall back to the
// per-ancestor restriction routes.
var confcloud77618 = []string{
	"ancestors.restrictions.read.restrictions.user", "ancestors.restrictions.read.restrictions.group",
}

// contentExpansions reads and checks the expand parameter of a search:
// the names without prefix ("content." on /search, "" on content
// search). A name outside the v1 Content expansions, or one the simulator
// does not model, is a 400 naming it; the CONFCLOUD-77618 expansions are
// a 404.
func (q *req) contentExpansions(prefix string) (map[string]bool, *reply) {
	ex := map[string]bool{}
	for _, v := range q.listParam("expand") {
		name, ok := strings.CutPrefix(v, prefix)
		switch {
		case !ok:
			return nil, ref(q.badRequest("The expansion '" + v + "' is not supported by the simulator (use the " + prefix + " prefix)"))
		case slices.Contains(confcloud77618, name):
			return nil, ref(q.notFound("Not Found (CONFCLOUD-77618: expanding " + v + " fails for the whole batch)"))
		case slices.Contains(unmodelledExpansions, name):
			return nil, ref(q.badRequest("The expansion '" + v + "' is not supported by the simulator"))
		case !slices.Contains(modelledExpansions, name):
			return nil, ref(q.badRequest("Invalid expansion '" + v + "': not an expansion of Content"))
		}
		ex[name] = true
	}
	return ex, nil
}

// expandLabels adds metadata.labels: a LabelArray capped at
// Options.ExpandLabelLimit, with `_links.next` to the v1 label route when
// truncated.
func (q *req) expandLabels(m map[string]any, id string, labels []string) {
	m["metadata"] = map[string]any{"labels": q.labelArray(id, labels, 0, q.s.opts.ExpandLabelLimit)}
}

// expandRestrictions adds the restrictions asked for (read and update,
// users and groups), each list capped at Options.ExpandRestrictionLimit,
// with `_links.next` to the byOperation route when truncated.
// Attachments and comments carry no restrictions of their own: their
// lists are empty.
func (q *req) expandRestrictions(m map[string]any, id string, r Restrictions, ex map[string]bool) {
	out := map[string]any{"_links": map[string]any{"base": q.base(), "context": "/wiki",
		"self": q.base() + "/rest/api/content/" + id + "/restriction/byOperation"}}
	expandable := map[string]any{}
	asked := false
	for _, op := range []string{"read", "update"} {
		sub := map[string]bool{
			"restrictions.user":  ex["restrictions."+op+".restrictions.user"],
			"restrictions.group": ex["restrictions."+op+".restrictions.group"],
		}
		if !sub["restrictions.user"] && !sub["restrictions.group"] {
			expandable[op] = "/rest/api/content/" + id + "/restriction/byOperation/" + op
			continue
		}
		asked = true
		users, groups := restrictionLists(r, op)
		out[op] = q.restrictionV1(id, op, users, groups, sub, 0, q.s.opts.ExpandRestrictionLimit)
	}
	if !asked {
		return
	}
	if len(expandable) > 0 {
		out["_expandable"] = expandable
	}
	m["restrictions"] = out
}

// labelArray is a v1 LabelArray of labels[start:start+limit]; `_links.next`
// (context-relative, the label route) when more remain.
func (q *req) labelArray(id string, labels []string, start, limit int) map[string]any {
	m := subList(labels, start, limit, labelV1, func(next int) string {
		return "/rest/api/content/" + id + "/label?start=" + strconv.Itoa(next) + "&limit=" + strconv.Itoa(limit)
	})
	links, _ := m["_links"].(map[string]any)
	if links == nil {
		links = map[string]any{}
	}
	links["self"] = q.base() + "/rest/api/content/" + id + "/label"
	m["_links"] = links
	return m
}

// labelV1 is a v1 Label; the simulator's labels are all global.
func labelV1(name string) map[string]any {
	return map[string]any{"prefix": "global", "name": name, "id": labelID(name), "label": name}
}

// GET /wiki/rest/api/content/{id}/label: start (0) and limit (default
// 200, capped at 200); prefix global|my|team filters (the simulator's
// labels are all global). 404 for content the caller may not view.
func (q *req) v1Labels() reply {
	prefix, bad := q.enumParam("prefix", "global", "my", "team")
	if bad != nil {
		return *bad
	}
	start, limit, bad := q.startLimit(200, 200, false)
	if bad != nil {
		return *bad
	}
	id := q.r.PathValue("id")
	var labels []string
	switch c, a := q.ix.content[id], q.ix.attachment(id); {
	case c != nil && c.Status != "draft" && q.ix.canView(q.c, c):
		labels = c.Labels
	case a != nil && q.ix.canViewAttachment(q.c, a):
		labels = a.Labels
	default:
		return q.notFound("No content found with id: " + id)
	}
	if prefix != "" && prefix != "global" {
		labels = nil
	}
	m := pageV1(q, labels, start, limit, func(l string) any { return labelV1(l) })
	return reply{status: http.StatusOK, body: m}
}
