package proto

import (
	"regexp"
	"strings"
	"testing"
)

func TestSiteToken(t *testing.T) {
	tests := []struct{ site, want string }{
		{"https://acme.atlassian.net", "acme_atlassian_net"},
		{"https://Acme.Atlassian.NET/wiki/", "acme_atlassian_net"},
		{"acme.atlassian.net", "acme_atlassian_net"},
		{"http://127.0.0.1:8080", "127_0_0_1_8080"},
		{"https://user:secret@acme.atlassian.net", "acme_atlassian_net"},
		{"https://my-site.atlassian.net", "my-site_atlassian_net"},
	}
	for _, tt := range tests {
		t.Run(tt.site, func(t *testing.T) {
			if got := SiteToken(tt.site); got != tt.want {
				t.Fatalf("SiteToken(%q) = %q, want %q", tt.site, got, tt.want)
			}
			if got := For(tt.site).Site(); got != tt.want {
				t.Fatalf("For(%q).Site() = %q", tt.site, got)
			}
		})
	}
}

func TestToken(t *testing.T) {
	tests := []struct{ in, want string }{
		{"98304", "98304"},
		{"~5b10ac8d", "_5b10ac8d"},
		{"a.b", "a_b"},
		{"*", "_"},
		{">", "_"},
		{"a b\tc", "a_b_c"},
		{"", "_"},
		{"ü", "__"},
		{"att-123_x", "att-123_x"},
	}
	for _, tt := range tests {
		if got := Token(tt.in); got != tt.want {
			t.Errorf("Token(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestSubjects(t *testing.T) {
	s := For("https://acme.atlassian.net")
	tests := []struct{ name, got, want string }{
		{"crawl requested", s.CrawlRequested(), "conflux.acme_atlassian_net.crawl.requested"},
		{"crawl finished", s.CrawlFinished("c-1"), "conflux.acme_atlassian_net.crawl.finished.c-1"},
		{"crawl progress", s.CrawlProgress("c.1"), "conflux.acme_atlassian_net.crawl.progress.c_1"},
		{"space", s.Space("98304"), "conflux.acme_atlassian_net.space.98304"},
		{"content", s.Content("98304", "123"), "conflux.acme_atlassian_net.content.98304.123"},
		{"content sanitized", s.Content("9.8", "1*2"), "conflux.acme_atlassian_net.content.9_8.1_2"},
		{"attachment", s.Attachment("98304", "att1"), "conflux.acme_atlassian_net.attachment.98304.att1"},
		{"stored", s.AttachmentStored("98304", "att1"), "conflux.acme_atlassian_net.stored.98304.att1"},
		{"extracted", s.AttachmentExtracted("98304", "att1"), "conflux.acme_atlassian_net.extracted.98304.att1"},
		{"document", s.Document("98304", "123"), "conflux.acme_atlassian_net.doc.98304.123"},
		{"documents of a space", s.Documents("98304"), "conflux.acme_atlassian_net.doc.98304.*"},
		{"all documents", s.Documents(""), "conflux.acme_atlassian_net.doc.>"},
		{"dead letter", s.DeadLetter("sink"), "conflux.acme_atlassian_net.dlq.sink"},
		{"token get", s.TokenGet(), "conflux.acme_atlassian_net.token.get"},
		{"token invalidate", s.TokenInvalidate(), "conflux.acme_atlassian_net.token.invalidate"},
		{"rate limit", s.RateLimit(), "conflux.acme_atlassian_net.ratelimit"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s: %q, want %q", tt.name, tt.got, tt.want)
		}
	}
	if k := Kind(s.Content("1", "2")); k != "content" {
		t.Errorf("Kind = %q", k)
	}
	if k := Kind("conflux.x"); k != "" {
		t.Errorf("Kind of a short subject = %q", k)
	}
}

// Every subject a message is published on is stored by exactly one
// stream; core-NATS subjects by none. Every consumer reads a subset of its
// stream.
func TestSubjectsMatchStreams(t *testing.T) {
	s := For("https://acme.atlassian.net")
	streams := Streams(Options{})
	streamOf := func(subject string) []string {
		var names []string
		for _, st := range streams {
			for _, pattern := range st.Subjects {
				if subjectMatches(pattern, subject) {
					names = append(names, st.Name)
				}
			}
		}
		return names
	}
	stored := map[string]string{
		s.CrawlRequested():                 StreamCrawl,
		s.CrawlFinished("c1"):              StreamCrawl,
		s.CrawlProgress("c1"):              StreamCrawl,
		s.Space("1"):                       StreamSpaces,
		s.Content("1", "2"):                StreamContent,
		s.Attachment("1", "att2"):          StreamAttachments,
		s.AttachmentStored("1", "att2"):    StreamStored,
		s.AttachmentExtracted("1", "att2"): StreamExtracted,
		s.Document("1", "2"):               StreamDocuments,
		s.DeadLetter(StagePermissions):     StreamDeadLetters,
		s.Sitewide("c1", "1"):              StreamSitewide,
	}
	for subject, want := range stored {
		if got := streamOf(subject); len(got) != 1 || got[0] != want {
			t.Errorf("%s is stored by %v, want [%s]", subject, got, want)
		}
	}
	for _, subject := range []string{s.TokenGet(), s.TokenInvalidate(), s.RateLimit()} {
		if got := streamOf(subject); len(got) != 0 {
			t.Errorf("request/reply subject %s is stored by %v", subject, got)
		}
	}
	byName := map[string][]string{}
	for _, st := range streams {
		byName[st.Name] = st.Subjects
	}
	for _, c := range Consumers("https://acme.atlassian.net", Options{}) {
		var inside bool
		for _, pattern := range byName[c.Stream] {
			inside = inside || subjectMatches(pattern, c.Config.FilterSubject)
		}
		if !inside {
			t.Errorf("consumer %s filters %s, outside stream %s", c.Config.Durable, c.Config.FilterSubject, c.Stream)
		}
	}
}

var (
	nameRE  = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)
	kvKeyRE = regexp.MustCompile(`^[-/_=\.a-zA-Z0-9]+$`)
)

func TestNamesAreValid(t *testing.T) {
	for _, st := range Streams(Options{}) {
		if !nameRE.MatchString(st.Name) || len(st.Name) > 32 {
			t.Errorf("stream name %q", st.Name)
		}
	}
	for _, c := range Consumers("https://my-site.atlassian.net", Options{}) {
		if !nameRE.MatchString(c.Config.Durable) {
			t.Errorf("durable name %q", c.Config.Durable)
		}
	}
	for _, b := range Buckets(Options{}) {
		if !nameRE.MatchString(b.Bucket) {
			t.Errorf("bucket name %q", b.Bucket)
		}
	}
	k := ProgressOf("crawl.2026-11-28T20:40")
	for _, key := range []string{k.Meta(), k.Listing("~98"), k.Outcome("98", "att 1"), k.Deletion("98", "1"), k.Sweep("98")} {
		if !kvKeyRE.MatchString(key) || strings.Contains(key, "..") {
			t.Errorf("progress key %q is not a valid KV key", key)
		}
	}
}

func TestMsgID(t *testing.T) {
	if got := MsgID("content", "123", 7, "c1"); got != "content:123:v7:c1" {
		t.Fatalf("MsgID = %q", got)
	}
	if MsgID("content", "123", 7, "c1") == MsgID("content", "123", 8, "c1") ||
		MsgID("content", "123", 7, "c1") == MsgID("content", "123", 7, "c2") {
		t.Fatal("MsgID ignores the version or the crawl")
	}
}

// subjectMatches reports whether a NATS subject (or a filter with
// wildcards) falls under pattern.
func subjectMatches(pattern, subject string) bool {
	p, s := strings.Split(pattern, "."), strings.Split(subject, ".")
	for i, tok := range p {
		if tok == ">" {
			return len(s) > i
		}
		if i >= len(s) {
			return false
		}
		if tok != "*" && tok != s[i] {
			return false
		}
	}
	return len(p) == len(s)
}
