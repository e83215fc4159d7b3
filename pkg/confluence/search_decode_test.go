package confluence

import (
	"encoding/json"
	"testing"
	"time"
)

func TestSearchResultDecoding(t *testing.T) {
	raw := `{"content":{"id":"7","type":"page","status":"current","title":"T","space":{"key":"ENG","id":98306},
		"version":{"number":3,"when":"2024-05-12T08:41:09.301+0000","by":{"accountId":"a"}},"_links":{"webui":"/spaces/ENG/pages/7/T"}},
		"title":"T","excerpt":"x","url":"/spaces/ENG/pages/7/T","entityType":"content","lastModified":"2024-05-12T08:41:09.301Z"}`
	var r SearchResult
	if err := json.Unmarshal([]byte(raw), &r); err != nil {
		t.Fatal(err)
	}
	want := time.Date(2024, 5, 12, 8, 41, 9, 301e6, time.UTC)
	if r.Content.ID != "7" || r.Content.Space.Key != "ENG" || r.Content.Version.Number != 3 ||
		!r.Content.Version.When.Equal(want) || !r.LastModified.Equal(want) || r.Content.Links.WebUI == "" {
		t.Errorf("decoded %+v", r)
	}
	if err := json.Unmarshal([]byte(`{"lastModified":"yesterday","content":{"version":{"when":""}}}`), &r); err != nil || !r.LastModified.IsZero() {
		t.Errorf("lenient decoding: %v, %v", err, r.LastModified)
	}
}
