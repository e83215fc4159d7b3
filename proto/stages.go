package proto

// Input is one durable consumer of a stage: the stage reads Stream,
// filtered to Filter, through the durable "<stage>_<Name>_<site token>".
type Input struct {
	// Name is the input's part of the durable's name ("crawl", "spaces" …).
	Name string
	// Stream is the stream the consumer reads.
	Stream string
	// Filter is the consumer's filter subject below "conflux.<site>."
	// ("space.>" reads conflux.<site>.space.>).
	Filter string
}

// StageSpec is what the wire knows of a stage: its name, what it reads,
// what it publishes, whether it calls Confluence and how many of it run by
// default. Stages lists every stage; the consumers of the topology, the
// stage list of `conflux run` and `conflux worker`, and the deployment
// tests are read from it.
type StageSpec struct {
	// Name names the stage (StageFetcher …): the prefix of its durables,
	// its dead-letter subject and its NATS user in the deployments.
	Name string
	// Inputs are the stage's durable consumers, none for a stage that
	// serves requests (the token broker).
	Inputs []Input
	// Outputs are the subjects the stage publishes, below
	// "conflux.<site>." ("content.>"), its dead letters left out. A stage
	// that serves requests (the token broker) answers on the requester's
	// inbox and lists none.
	Outputs []string
	// CallsConfluence says whether the stage calls the Confluence API (and
	// so needs a client, credentials and a share of the request rate).
	CallsConfluence bool
	// Concurrency is how many messages one replica handles at once per
	// consumer; 0 takes crawl.concurrency.
	Concurrency int
	// Replicas is how many processes of the stage a fleet runs by default
	// (the chart's workers.<stage>.replicas).
	Replicas int
}

// Stages lists every stage in pipeline order: the token broker first, so
// that credentials are there when the others call Confluence. A new stage
// is one entry here (and its package; see README "Adding a stage").
var Stages = []StageSpec{
	{Name: StageTokenBroker, Replicas: 2},
	{Name: StageEnumerator, CallsConfluence: true, Concurrency: 1, Replicas: 1,
		Inputs:  []Input{{Name: "crawl", Stream: StreamCrawl, Filter: "crawl.requested"}},
		Outputs: []string{"space.>", "sitewide.>", "crawl.progress.>", "crawl.finished.>"}},
	{Name: StageFetcher, CallsConfluence: true, Concurrency: 8, Replicas: 2,
		Inputs:  []Input{{Name: "spaces", Stream: StreamSpaces, Filter: "space.>"}},
		Outputs: []string{"content.>", "attachment.>"}},
	{Name: StageAttachments, CallsConfluence: true, Concurrency: 32, Replicas: 1,
		Inputs:  []Input{{Name: "attachments", Stream: StreamAttachments, Filter: "attachment.>"}},
		Outputs: []string{"stored.>"}},
	{Name: StageExtractor, Replicas: 1,
		Inputs:  []Input{{Name: "stored", Stream: StreamStored, Filter: "stored.>"}},
		Outputs: []string{"extracted.>"}},
	{Name: StagePermissions, CallsConfluence: true, Concurrency: 32, Replicas: 2,
		Inputs: []Input{
			{Name: "content", Stream: StreamContent, Filter: "content.>"},
			{Name: "extracted", Stream: StreamExtracted, Filter: "extracted.>"},
		},
		Outputs: []string{"doc.>"}},
	// The sink handles many documents at once so that they fill its
	// batches (64 documents, two batches written at once).
	{Name: StageSink, Concurrency: 128, Replicas: 1,
		Inputs:  []Input{{Name: "docs", Stream: StreamDocuments, Filter: "doc.>"}},
		Outputs: []string{"doc.>"}}, // the sweeper's tombstones
}

// Stage returns the spec of the named stage.
func Stage(name string) (StageSpec, bool) {
	for _, s := range Stages {
		if s.Name == name {
			return s, true
		}
	}
	return StageSpec{}, false
}

// StageNames lists the names of Stages, in order.
func StageNames() []string {
	out := make([]string, len(Stages))
	for i, s := range Stages {
		out[i] = s.Name
	}
	return out
}

// Durable names the durable consumer of this input of stage for a site.
func (in Input) Durable(stage, site string) string { return Durable(stage, in.Name, site) }

// Pattern returns a subject below "conflux.<site>." in full: Pattern("doc.>")
// is "conflux.<site>.doc.>".
func (s Subjects) Pattern(rel string) string { return s.join(rel) }
