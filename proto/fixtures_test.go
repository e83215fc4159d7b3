package proto

import "time"

var (
	t1 = time.Date(2026, 3, 14, 15, 9, 26, 535000000, time.UTC)
	t2 = time.Date(2026, 11, 28, 20, 40, 0, 0, time.UTC)
)

// fixtures holds one message per schema with every field set, so that a
// renamed tag or a changed type shows in the golden files.
func fixtures() []Message {
	attachment := AttachmentFound{
		CrawlID: "crawl-1", Kind: CrawlFull, SpaceID: "98304", SpaceKey: "ENG",
		ID: "att123", Title: "diagram.png", FileName: "diagram.png", MediaType: "image/png",
		Size: 48213, Version: 2, CreatedAt: t1, UpdatedAt: t2, AuthorID: "5b10ac8d82e05b22cc7d4ef5",
		WebUI: "/spaces/ENG/pages/123456/Runbook?preview=diagram.png", ContainerID: "123456", ContainerType: TypePage,
		Ancestors: []Ancestor{{ID: "122000", Type: TypePage, Title: "Engineering"}, {ID: "123456", Type: TypePage, Title: "Runbook"}},
		Labels:    []string{"ops"}, DownloadPath: "/download/attachments/123456/diagram.png?version=2",
		Restrictions: []Restriction{{ID: "122000", Users: []string{"5b10ac8d82e05b22cc7d4ef5"},
			Groups: []GroupRef{{ID: "2fa5b5c6", Name: "eng"}}}},
	}
	parent, container := "123000", "123456"
	space := SpaceProgress{
		SpaceID: "98304", SpaceKey: "ENG", ListingDone: true, ListingError: "page 9: 500",
		Listed: 10, Attachments: 4, Written: 7, Dropped: 1, Failed: 2, Deleted: 3,
	}
	return []Message{
		&CrawlRequested{CrawlID: "crawl-1", Site: "https://acme.atlassian.net", Kind: CrawlIncremental, RequestedAt: t1, Force: true},
		&SpaceFound{
			CrawlID: "crawl-1", Kind: CrawlFull, SpaceID: "98304", SpaceKey: "ENG", Name: "Engineering",
			Type: "global", Status: "current", HomepageID: "65538", Since: t1, Sitewide: true,
		},
		&ContentFetched{
			CrawlID: "crawl-1", Kind: CrawlFull, SpaceID: "98304", SpaceKey: "ENG", ID: "123456",
			Type: TypeComment, Status: "current", Title: "Re: Runbook", WebUI: "/spaces/ENG/pages/123456/Runbook",
			ParentID: "123000", ParentType: TypeFolder,
			Ancestors:   []Ancestor{{ID: "122000", Type: TypePage, Title: "Engineering"}, {ID: "123000", Type: TypeFolder, Title: "Runbooks"}},
			ContainerID: "123456", ContainerType: TypePage, Labels: []string{"ops", "runbook"},
			Version: 7, CreatedAt: t1, UpdatedAt: t2, AuthorID: "5b10ac8d82e05b22cc7d4ef5",
			Body:        `<p>Restart with <ac:structured-macro ac:name="code"/> — ünïcode</p>`,
			BodyFormat:  BodyStorage,
			LabelsKnown: true,
			Restrictions: []Restriction{{ID: "122000", Users: []string{"5b10ac8d82e05b22cc7d4ef5"},
				Groups: []GroupRef{{ID: "2fa5b5c6", Name: "eng"}}}},
		},
		&attachment,
		&AttachmentStored{
			Attachment: attachment,
			Blob:       &BlobRef{Bucket: ObjectBlobs, Name: "acme_atlassian_net/att123/v2", Size: 48213, Digest: "SHA-256=47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU="},
			Skipped:    "larger than max_size 100MB",
			Text:       "Deploy checklist — ünïcode",
			Extraction: ExtractionTruncated,
		},
		&DocumentReady{
			Document: Document{
				ID: "123456", Type: TypePage, Site: "acme.atlassian.net", SpaceKey: "ENG", SpaceID: "98304",
				Title: "Runbook", URL: "https://acme.atlassian.net/wiki/spaces/ENG/pages/123456/Runbook",
				ParentID: &parent, Ancestors: []string{"122000", "123000"}, ContainerID: &container,
				AncestorTitles: []string{"Engineering", "Runbooks"}, BodyFormat: BodyStorage,
				Labels: []string{"ops"}, Version: 7, CreatedAt: "2026-03-14T15:09:26.535Z", UpdatedAt: "2026-11-28T20:40:00.000Z",
				Author: Author{AccountID: "5b10ac8d82e05b22cc7d4ef5", Email: "ana@acme.com"},
				Body:   "<p>Restart</p>", BodyText: "Restart",
				Attachment: &AttachmentInfo{FileName: "diagram.png", MediaType: "image/png", Size: 48213, Path: "attachments/att123/diagram.png", Skipped: "too big",
					Extraction: "failed: zip: not a valid zip file"},
				Blob: &BlobRef{Bucket: ObjectBlobs, Name: "acme_atlassian_net/att123/v2", Size: 48213, Digest: "SHA-256=abc"},
				ACL: ACL{
					Public: true, Users: []string{"ana@acme.com"}, AccountIDs: []string{"5b10ac8d82e05b22cc7d4ef5", "712020:0a1b"},
					Groups: []string{"b1c2-group"}, GroupNames: []string{"eng"},
				},
				CrawlID: "crawl-1",
			},
			Groups:    []Group{{ID: "b1c2-group", Name: "eng", Members: []GroupMember{{AccountID: "712020:0a1b", Email: "bo@acme.com"}}}},
			ACLOnly:   true,
			UserNames: map[string]string{"712020:0a1b": "Bo Ek"},
		},
		&DocumentDeleted{CrawlID: "crawl-1", SpaceID: "98304", ID: "123456", Type: TypePage, Reason: "not seen by full crawl crawl-1"},
		&CrawlProgress{CrawlID: "crawl-1", Spaces: []SpaceProgress{space}, At: t2},
		&CrawlFinished{
			CrawlID: "crawl-1", Kind: CrawlPermissions, OK: true, Spaces: []SpaceProgress{space},
			Failures: []string{"page 9 (ENG): fetch: 500"}, Notes: []string{"3 attachments kept as metadata only"},
			Started: t1, Finished: t2, Partial: true, CredentialsRefused: true,
		},
		&DeadLetter{
			Stage: StagePermissions, Stream: StreamContent, Consumer: "permissions_content_acme_atlassian_net",
			Subject: "conflux.acme_atlassian_net.content.98304.123456", Sequence: 42, Deliveries: 6,
			Error:   "gave up after 6 deliveries: resolve acl: 500",
			Headers: map[string][]string{HeaderSchema: {"content.fetched/1"}, HeaderCrawl: {"crawl-1"}, "Nats-Msg-Id": {"content:123456:v7:crawl-1"}},
			Payload: []byte{0x81, 0xa2, 'i', 'd', 0xa1, '1'}, CrawlID: "crawl-1", SpaceID: "98304", ItemID: "123456",
		},
	}
}
