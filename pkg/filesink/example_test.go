package filesink_test

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/conflux-dev/conflux/pkg/filesink"
	"github.com/conflux-dev/conflux/proto"
)

func Example() {
	dir, _ := os.MkdirTemp("", "sink")
	defer os.RemoveAll(dir)
	sink, err := filesink.Open(dir)
	if err != nil {
		panic(err)
	}
	defer sink.Close()

	doc := proto.Document{
		ID: "att42", Type: proto.TypeAttachment, SpaceID: "98304", Title: "plan", Version: 3,
		Attachment: &proto.AttachmentInfo{FileName: "../Q3 plan.pdf", MediaType: "application/pdf"},
	}
	applied, err := sink.Upsert(context.Background(), doc, strings.NewReader("%PDF-1.7 …"))
	if err != nil {
		panic(err)
	}
	stored, _, _ := sink.Get("att42")
	fmt.Println(applied, stored.Attachment.Path)

	doc.Version = 2 // an older version arriving late is ignored
	applied, _ = sink.Upsert(context.Background(), doc, strings.NewReader("old"))
	fmt.Println(applied)
	// Output:
	// true attachments/att42/_Q3 plan.pdf
	// false
}
