package deployments_test

import (
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"

	"github.com/conflux-dev/conflux/proto"
)

// access is what one worker's NATS user must be able to do, and some of
// what it must not, on concrete subjects of a site.
type access struct {
	pub, sub       []string
	notPub, notSub []string
}

// workerAccess lists, per worker, the subjects it publishes and subscribes
// to (from proto.For and the topology's names) and a few that belong to
// other workers.
func workerAccess(site string) map[string]access {
	s := proto.For(site)
	kv := func(bucket string) string { return "$KV." + bucket + ".some_key" }
	obj := func(store string) string { return "$O." + store + ".C.chunk" }
	ack := func(stream, consumer string) string {
		return "$JS.ACK." + stream + "." + consumer + ".1.2.3.1700000000000000000.0"
	}
	durable := func(stage, input string) string { return proto.Durable(stage, input, site) }
	jetstream := []string{"$JS.API.INFO", "$JS.API.CONSUMER.MSG.NEXT." + proto.StreamContent + ".x",
		"$JS.FC." + proto.ObjectBlobs + ".x.1", obj(proto.ObjectClaims)}
	confluence := []string{s.TokenGet(), s.TokenInvalidate(), s.RateLimit(), s.RateBudget()}
	confluenceSub := []string{"_INBOX.abc.def", s.RateLimit(), s.RateBudget()}
	// Each stage is the micro service conflux-<stage>.
	micro := func(stage string) []string {
		return []string{"$SRV.PING", "$SRV.STATS.conflux-" + stage, "conflux.acme_atlassian_net.status." + stage}
	}
	with := func(lists ...[]string) []string {
		var out []string
		for _, l := range lists {
			out = append(out, l...)
		}
		return out
	}
	return map[string]access{
		"enumerator": {
			pub: with(jetstream, confluence, []string{s.Space("S1"), s.Sitewide("c1", "S1"), s.CrawlProgress("c1"),
				s.CrawlFinished("c1"), s.DeadLetter(proto.StageEnumerator), kv(proto.BucketProgress),
				kv(proto.BucketCheckpoints), ack(proto.StreamCrawl, durable(proto.StageEnumerator, "crawl"))}),
			sub:    with(confluenceSub, micro(proto.StageEnumerator)),
			notPub: []string{s.Content("S1", "1"), s.Document("S1", "1"), s.DeadLetter(proto.StageSink), kv(proto.BucketTokens)},
			notSub: []string{s.TokenGet(), "conflux.acme_atlassian_net.status.fetcher"},
		},
		"fetcher": {
			pub: with(jetstream, confluence, []string{s.Content("S1", "1"), s.Attachment("S1", "a1"),
				s.DeadLetter(proto.StageFetcher), kv(proto.BucketProgress), kv(proto.BucketCheckpoints),
				ack(proto.StreamSpaces, durable(proto.StageFetcher, "spaces"))}),
			sub:    with(confluenceSub, micro(proto.StageFetcher)),
			notPub: []string{s.Space("S1"), s.Document("S1", "1"), obj(proto.ObjectBlobs)},
		},
		"attachments": {
			pub: with(jetstream, confluence, []string{s.AttachmentStored("S1", "a1"), s.DeadLetter(proto.StageAttachments),
				obj(proto.ObjectBlobs), "$O." + proto.ObjectBlobs + ".M.name", obj(proto.ObjectBlobsLarge),
				"$O." + proto.ObjectBlobsLarge + ".M.name", kv(proto.BucketProgress),
				ack(proto.StreamAttachments, durable(proto.StageAttachments, "attachments"))}),
			sub:    with(confluenceSub, micro(proto.StageAttachments)),
			notPub: []string{s.AttachmentExtracted("S1", "a1"), s.Document("S1", "1"), kv(proto.BucketCache)},
		},
		"extractor": {
			pub: with(jetstream, []string{s.AttachmentExtracted("S1", "a1"), s.DeadLetter(proto.StageExtractor),
				kv(proto.BucketProgress), ack(proto.StreamStored, durable(proto.StageExtractor, "stored"))}),
			sub: with([]string{"_INBOX.abc.def"}, micro(proto.StageExtractor)),
			notPub: []string{s.TokenGet(), s.RateLimit(), s.Document("S1", "1"), obj(proto.ObjectBlobs), obj(proto.ObjectBlobsLarge),
				s.AttachmentStored("S1", "a1")},
			notSub: []string{s.RateLimit(), s.Content("S1", "1")},
		},
		"permissions": {
			pub: with(jetstream, confluence, []string{s.Document("S1", "1"), s.DeadLetter(proto.StagePermissions),
				kv(proto.BucketProgress), kv(proto.BucketCache),
				ack(proto.StreamContent, durable(proto.StagePermissions, "content")),
				ack(proto.StreamExtracted, durable(proto.StagePermissions, "extracted"))}),
			sub:    with(confluenceSub, micro(proto.StagePermissions)),
			notPub: []string{s.Content("S1", "1"), kv(proto.BucketUsers), kv(proto.BucketIncludes)},
		},
		"sink": {
			pub: with(jetstream, []string{s.Document("S1", "1"), s.DeadLetter(proto.StageSink), kv(proto.BucketProgress),
				kv(proto.BucketIncludes), ack(proto.StreamDocuments, durable(proto.StageSink, "docs"))}),
			sub:    with([]string{"_INBOX.abc.def"}, micro(proto.StageSink)),
			notPub: []string{s.TokenGet(), s.Content("S1", "1"), obj(proto.ObjectBlobs), kv(proto.BucketCache)},
			notSub: []string{s.RateLimit(), "conflux.acme_atlassian_net.status.permissions"},
		},
		"tokenbroker": {
			pub:    []string{"$JS.API.INFO", kv(proto.BucketTokens), kv(proto.BucketLeases)},
			sub:    []string{s.TokenGet(), s.TokenInvalidate(), "conflux.x.token.health", "$SRV.PING", "$SRV.INFO.conflux-tokenbroker", "_INBOX.abc.def"},
			notPub: []string{s.TokenGet(), s.Document("S1", "1"), kv(proto.BucketProgress), "_INBOX.someone_else"},
		},
		"scheduler": {
			pub: with(jetstream, confluence, []string{s.CrawlRequested(), s.Content("S1", "1"), kv(proto.BucketLeases),
				kv(proto.BucketProgress)}),
			sub:    confluenceSub,
			notPub: []string{s.CrawlFinished("c1"), s.Document("S1", "1"), kv(proto.BucketTokens), s.Space("S1")},
		},
	}
}

// stageAccess lists, per stage of proto.Stages, the concrete subjects the
// table says it publishes: its outputs, its dead letters and the acks of
// its consumers.
func stageAccess(site string) map[string][]string {
	s := proto.For(site)
	concrete := strings.NewReplacer("*", "x", ">", "x.y")
	out := map[string][]string{}
	for _, st := range proto.Stages {
		for _, o := range st.Outputs {
			out[st.Name] = append(out[st.Name], s.Pattern(concrete.Replace(o)))
		}
		for _, in := range st.Inputs {
			out[st.Name] = append(out[st.Name], s.DeadLetter(st.Name),
				"$JS.ACK."+in.Stream+"."+in.Durable(st.Name, site)+".1.2.3.1700000000000000000.0")
		}
	}
	return out
}

// TestAccountsAllowWhatEachWorkerUses connects to a server running
// nats/accounts.conf as each worker's user and publishes and subscribes
// on the concrete subjects that worker uses (each allowed) and on some of
// other workers' subjects (each refused), so the accounts are neither too
// tight for the code nor open to every subject.
func TestAccountsAllowWhatEachWorkerUses(t *testing.T) {
	srv, _ := startAccountsServer(t)
	site := "https://acme.atlassian.net"
	table := workerAccess(site)
	if len(table) != len(users) {
		t.Fatalf("access listed for %d workers, accounts.conf has %d worker users", len(table), len(users))
	}
	checks := 0
	fromTable := stageAccess(site)
	for _, user := range users {
		a, ok := table[user]
		if !ok {
			t.Fatalf("no access listed for %s", user)
		}
		for _, subj := range append(a.pub, fromTable[user]...) {
			checks++
			if err := try(srv, user, subj, false); err != nil {
				t.Errorf("%s may not publish to %s: %v", user, subj, err)
			}
		}
		for _, subj := range a.sub {
			checks++
			if err := try(srv, user, subj, true); err != nil {
				t.Errorf("%s may not subscribe to %s: %v", user, subj, err)
			}
		}
		for _, subj := range a.notPub {
			checks++
			if try(srv, user, subj, false) == nil {
				t.Errorf("%s may publish to %s, which is not its own", user, subj)
			}
		}
		for _, subj := range a.notSub {
			checks++
			if try(srv, user, subj, true) == nil {
				t.Errorf("%s may subscribe to %s, which is not its own", user, subj)
			}
		}
	}
	if _, err := nats.Connect(srv.ClientURL(), nats.UserInfo("fetcher", "wrong")); err == nil {
		t.Error("fetcher connected with a wrong password")
	}
	t.Logf("%d publish/subscribe checks for %d worker users", checks, len(users))
}

// try publishes to subject (or subscribes to it) as user on a connection
// of its own and returns the permissions violation the server answered,
// if any.
func try(srv *server.Server, user, subject string, subscribe bool) error {
	nc, err := nats.Connect(srv.ClientURL(), nats.UserInfo(user, password(user)),
		nats.ErrorHandler(func(*nats.Conn, *nats.Subscription, error) {}))
	if err != nil {
		return err
	}
	defer nc.Close()
	if subscribe {
		if _, err := nc.SubscribeSync(subject); err != nil {
			return err
		}
	} else if err := nc.Publish(subject, []byte("x")); err != nil {
		return err
	}
	if err := nc.FlushTimeout(5 * time.Second); err != nil {
		return err
	}
	if err := nc.LastError(); err != nil && strings.Contains(strings.ToLower(err.Error()), "permissions violation") {
		return err
	}
	return nil
}
