package config

import (
	"strings"
	"testing"
)

func TestAuditKeys(t *testing.T) {
	c, err := Parse([]byte(minimal), "c.yaml", nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.Audit != (Audit{MaxCalls: 200, MaxCallsPerHour: 1000}) {
		t.Errorf("defaults: %+v", c.Audit)
	}
	c, err = Parse([]byte(minimal+"audit:\n  sample: 25\n"), "c.yaml", envOf(map[string]string{"CONFLUX_AUDIT_MAX_CALLS": "50"}))
	if err != nil || c.Audit.Sample != 25 || c.Audit.MaxCalls != 50 {
		t.Errorf("set: %+v, %v", c.Audit, err)
	}
	for _, tc := range []struct{ yaml, want string }{
		{"audit:\n  sample: -1\n", "audit.sample: -1 is negative"},
		{"audit:\n  max_calls: 0\n", "audit.max_calls: 0 is not positive"},
		{"audit:\n  max_calls_per_hour: -5\n", "audit.max_calls_per_hour: -5 is not positive"},
	} {
		_, err := Parse([]byte(minimal+tc.yaml), "c.yaml", nil)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: %v, want %q", tc.yaml, err, tc.want)
		}
	}
}
