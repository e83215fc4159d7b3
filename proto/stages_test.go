package proto_test

import (
	"strings"
	"testing"

	"github.com/conflux-dev/conflux/proto"
)

// TestStagesTable checks the stage table against the topology: unique
// names, every input on a stream of Streams with a filter inside that
// stream's subjects, and one consumer per input.
func TestStagesTable(t *testing.T) {
	streams := map[string][]string{}
	for _, s := range proto.Streams(proto.Options{}) {
		streams[s.Name] = s.Subjects
	}
	seen := map[string]bool{}
	inputs := 0
	for _, st := range proto.Stages {
		if seen[st.Name] {
			t.Errorf("stage %s listed twice", st.Name)
		}
		seen[st.Name] = true
		if st.Replicas < 1 || st.Concurrency < 0 {
			t.Errorf("stage %s: replicas %d, concurrency %d", st.Name, st.Replicas, st.Concurrency)
		}
		for _, in := range st.Inputs {
			inputs++
			subjects, ok := streams[in.Stream]
			if !ok {
				t.Errorf("stage %s input %s: no stream %s", st.Name, in.Name, in.Stream)
				continue
			}
			// Every stream's subjects are "conflux.*.<kind>.>".
			kind := strings.TrimSuffix(strings.TrimPrefix(subjects[0], "conflux.*."), ">")
			if !strings.HasPrefix(in.Filter, kind) {
				t.Errorf("stage %s input %s: filter %s outside stream %s (%s)", st.Name, in.Name, in.Filter, in.Stream, subjects[0])
			}
		}
		if got, ok := proto.Stage(st.Name); !ok || got.Name != st.Name {
			t.Errorf("Stage(%q) = %v, %v", st.Name, got.Name, ok)
		}
	}
	if got := len(proto.Consumers("https://acme.atlassian.net", proto.Options{})); got != inputs {
		t.Errorf("%d consumers for %d inputs", got, inputs)
	}
	if _, ok := proto.Stage("nope"); ok {
		t.Error("Stage found an unknown stage")
	}
	if got := strings.Join(proto.StageNames(), ","); got != "tokenbroker,enumerator,fetcher,attachments,extractor,permissions,sink" {
		t.Errorf("StageNames = %s", got)
	}
}
