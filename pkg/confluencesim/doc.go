// Package confluencesim simulates a Confluence Cloud site over HTTP: the v2
// and v1 REST endpoints a crawler uses, with their real shapes, pagination
// and quirks, Basic API-token and OAuth 2.0 (3LO) authentication through the
// api.atlassian.com-style gateway, attachment downloads redirected to a
// separate media host, seeded latency, rate limits and faults, and counters.
//
// The state is a Tenant (users, groups, spaces, content, attachments), built
// by hand, by Demo, or by Generate, and changed between crawls with the
// Server's mutation helpers. Facts come from
// shared/reference/confluence-api.md and Atlassian's OpenAPI documents;
// where the reference marks a behaviour UNCONFIRMED the simulator takes the
// stricter reading and says so where it does.
package confluencesim
