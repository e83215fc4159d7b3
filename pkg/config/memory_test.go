package config

import "testing"

func TestMemoryLimit(t *testing.T) {
	c, err := Parse([]byte(minimal), "conflux.yaml", envOf(nil))
	if err != nil || c.NATS.MemoryLimit != 200*MiB {
		t.Fatalf("default nats.memory_limit = %d (%v), want 200MiB", c.NATS.MemoryLimit, err)
	}
	for _, v := range []string{"0", "64MiB", "1GiB"} {
		c, err := Parse([]byte(minimal+"nats:\n  memory_limit: "+v+"\n"), "conflux.yaml", envOf(nil))
		if err != nil {
			t.Errorf("memory_limit %s: %v", v, err)
		} else if v == "0" && c.NATS.MemoryLimit != 0 {
			t.Errorf("memory_limit 0 read as %d", c.NATS.MemoryLimit)
		}
	}
	parseFails(t, "nats:\n  memory_limit: 10MiB\n", nil, "nats.memory_limit: 10MiB is below 64MiB; 0 sets no limit")
	parseFails(t, "", map[string]string{"CONFLUX_NATS_MEMORY_LIMIT": "-5"}, "nats.memory_limit")
}
