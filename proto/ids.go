package proto

import "strconv"

// MsgID builds a deterministic Nats-Msg-Id from what a message is about,
// its version and the crawl, so that a republish of the same thing in the
// same crawl is dropped by the stream's duplicate window.
func MsgID(kind, id string, version int, crawlID string) string {
	return kind + ":" + id + ":v" + strconv.Itoa(version) + ":" + crawlID
}
