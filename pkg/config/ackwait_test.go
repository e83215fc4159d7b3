package config

import (
	"strings"
	"testing"
	"time"
)

// nats.ack_wait defaults to 60s, is read from the file and from
// CONFLUX_NATS_ACK_WAIT, and is refused outside 1s..1h naming the key.
func TestNATSAckWait(t *testing.T) {
	c, err := Parse([]byte(minimal), "conflux.yaml", nil)
	if err != nil || c.NATS.AckWait.Std() != 60*time.Second {
		t.Fatalf("default: %v, %v", c.NATS.AckWait.Std(), err)
	}
	c, err = Parse([]byte(minimal+"nats:\n  ack_wait: 15s\n"), "conflux.yaml", nil)
	if err != nil || c.NATS.AckWait.Std() != 15*time.Second {
		t.Fatalf("from the file: %v, %v", c.NATS.AckWait.Std(), err)
	}
	env := func(k string) (string, bool) { return "2m", k == "CONFLUX_NATS_ACK_WAIT" }
	c, err = Parse([]byte(minimal), "conflux.yaml", env)
	if err != nil || c.NATS.AckWait.Std() != 2*time.Minute {
		t.Fatalf("from CONFLUX_NATS_ACK_WAIT: %v, %v", c.NATS.AckWait.Std(), err)
	}
	for _, bad := range []string{"0s", "500ms", "2h"} {
		_, err := Parse([]byte(minimal+"nats:\n  ack_wait: "+bad+"\n"), "conflux.yaml", nil)
		if err == nil || !strings.Contains(err.Error(), "nats.ack_wait") {
			t.Errorf("ack_wait %s: %v", bad, err)
		}
	}
}
