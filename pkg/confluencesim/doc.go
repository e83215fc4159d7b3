// Package confluencesim simulates a Confluence Cloud site over HTTP for
// tests and local runs: the v2 and v1 REST endpoints a crawler uses, with
// their real shapes, pagination and quirks; Basic API-token and OAuth 2.0
// (3LO) authentication through an api.atlassian.com-style gateway;
// attachment downloads redirected to a separate media host; seeded
// latency, rate limits and faults; and counters.
//
// The state is a Tenant (users, groups, spaces, content, attachments),
// built by hand, by Demo, or by Generate, served by Start, and changed
// between crawls with the Server's mutation helpers (EditPage, AddPage,
// MovePage, TrashContent, ArchiveContent, DeleteContent,
// SetReadRestriction, SetUpdateRestriction, SetGroupMembers, DeleteGroup,
// AddAttachment, EditAttachment) or Mutate. Server.Tenant is the ground
// truth a test compares a crawl against.
//
// Facts come from Atlassian's Confluence Cloud documentation and its
// OpenAPI documents (copied under testdata/; the conformance test
// validates every endpoint's responses against them). Where the
// reference marks a behaviour UNCONFIRMED the simulator takes the stricter
// reading and says so where it does. The main choices:
//
//   - Wrong credentials are refused everywhere (v2: 404 with the bare
//     "Not Found"; v1: 403 "Current user not permitted to use Confluence",
//     "caller cannot access Confluence" on /user/current). No
//     Authorization header on the site is an anonymous caller, who sees
//     the spaces granted to role ANONYMOUS.
//   - Gateway (/ex/confluence/{cloudId}/wiki/…): a Bearer access token of
//     the mounted oauthsim server (acting as Options.OAuthAccountID) or
//     Basic; missing, invalid or expired credentials → 401
//     {"code":401,"message":"Unauthorized"}.
//   - View permission: space read grant (user, group, or role ANONYMOUS)
//     and the read restrictions of the item and of every page or folder
//     above it; update restrictions never grant view; folders restrict like
//     pages; comments and attachments follow their container.
//     Tenant.Crawlers see everything (the admin-like crawler account).
//   - Permission check (POST /rest/api/content/{id}/permission/check):
//     the same rule for a user, "anonymous" or a group; asking about
//     anyone but oneself needs Tenant.Admins ('Confluence Administrator'),
//     else 403; a strictly validated body (400), unknown content 404.
//   - v2 lists: limit 1..250 (400 outside), keyset cursors bound to the
//     sort, `_links.next` relative with /wiki and every original parameter,
//     `_links.base` always, the Link header where the spec declares one
//     (not on ancestors or space permissions). direct-children rows carry
//     no spaceId (as observed live). Attachments list current+archived by
//     default. Only the current version of an item is kept: asking for
//     another version is 404. /pages and /blogposts take at most 250 ids
//     and 100 space ids (the spec's maxItems), int64 each; more is a 400.
//   - Site-wide v2 lists: GET /footer-comments and /inline-comments list
//     every current comment the caller may view whose page or blog post
//     is current or archived, replies included (UNCONFIRMED; the
//     reference believes so), each with pageId or blogPostId (replies
//     too) and parentCommentId on replies; inline ones with
//     resolutionStatus and properties. GET /attachments lists the
//     attachments the caller may view on current or archived pages and
//     blog posts (status default current+archived, mediaType, filename,
//     limit default 50). Both sort by ±created-date/±modified-date with
//     keyset cursors, so a newest-first walk can stop at a checkpoint.
//     GET /footer-comments/{id} and /inline-comments/{id} serve one
//     comment (any status but draft; body-format as for a single page).
//   - CQL search: cursor pagination, start ignored, pages deliberately
//     shorter than limit while more follow, next absent only at the end,
//     totalSize an over-estimate; archived pages, archived spaces (unless
//     includeArchivedSpaces=true), trashed and draft items never appear;
//     dates compared in UTC at minute resolution; Options.SearchLag hides
//     recent changes.
//   - CQL fields: exactly the documented Cloud list (cql_fields.go, its own copy). Any
//     other name, space.id included, is a 400 "No field exists with the
//     name: '<field>'". Evaluated: ancestor, content, created, creator,
//     contributor (both the item's single author), id, label,
//     lastmodified, parent, space (= space.key, exact, personal "~" keys
//     quoted), space.title, space.type, text (~ only: every word in the
//     title or the plain body), title, type. favourite, macro, mention,
//     space.category, space.desc and watcher are a 400 "not supported by
//     the simulator". In a quoted value a backslash escapes the next
//     character (\\ is a backslash, \" a quote).
//     now("…") is the only CQL function (currentUser() and the like do
//     not parse).
//   - Content search expansions (/rest/api/content/search; with the
//     "content." prefix on /rest/api/search): container, ancestors,
//     version, history, space, metadata.labels (a LabelArray) and
//     restrictions.{read,update}.restrictions.{user,group} (the
//     ContentRestriction shape of the restriction routes; attachments and
//     comments have empty lists). Expanded collections are capped
//     (Options.ExpandLabelLimit, default 50; ExpandRestrictionLimit,
//     default 100): a truncated one has size == limit and a
//     context-relative `_links.next` to GET /rest/api/content/{id}/label
//     or to /rest/api/content/{id}/restriction/byOperation/{op}?expand=
//     restrictions.user|group&start=…&limit=…. Every other expansion is a
//     400 naming it: the ones the v1 document lists but the simulator
//     does not model ("not supported by the simulator"), and unknown
//     names (on /search also names without "content."); the wording of
//     these refusals is the simulator's (Cloud's is UNCONFIRMED; it may
//     ignore unknown names). CONFCLOUD-77618:
//     ancestors.restrictions.read.restrictions.user|group answers 404 for
//     the whole batch whenever it is asked (stricter than Cloud, which
//     fails only when an ancestor is a draft, trashed or outdated).
//     SearchLag hides content edits only: restriction and label changes
//     bump no version or date, so they show at once.
//   - The restriction routes page users and groups alike by start/limit
//     (default 100, capped at 100), each list with `_links.next` while
//     more remain; operationKey is read or update (the document's enum),
//     anything else a 400. GET /rest/api/content/{id}/label pages labels by
//     start/limit (default 200, capped at 200).
//   - Downloads: /rest/api/content/{id}/child/attachment/{attId}/download
//     answers 302 to the media host with a signed token; the media host
//     answers 401 to any request carrying Authorization and streams the
//     bytes. The legacy /wiki/download/attachments/… servlet answers 401.
//   - Rate limit: one token bucket for the site (Options.Rate, Burst);
//     429 with Retry-After (whole seconds), X-RateLimit-Limit/-Remaining/
//     -Reset (Jira's yyyy-MM-ddTHH:mmZ format) and RateLimit-Reason. A
//     request from the same client (same Authorization header) before an
//     announced Retry-After (429 or 503) is a violation, counted and
//     answered 429.
//   - Faults (Options.Faults, Seed): 500, 502 (HTML), 503 (HTML, with
//     Retry-After of 1–2 s half of the time), or a hang of Options.Hang
//     then a dropped connection; chosen from the seed, the request and how
//     often it was made, so a run repeats exactly.
//
// GET /_sim/counters returns Counters as JSON; POST /_sim/reset zeroes
// them.
package confluencesim
