package config

// Defaults of the audit keys.
const (
	// DefaultAuditMaxCalls is the default of audit.max_calls.
	DefaultAuditMaxCalls = 200
	// DefaultAuditMaxCallsPerHour is the default of audit.max_calls_per_hour.
	DefaultAuditMaxCallsPerHour = 1000
)

// Audit is the sampled ACL audit: documents checked against Confluence's
// own permission check (POST /wiki/rest/api/content/{id}/permission/check,
// which needs the 'Confluence Administrator' global permission).
type Audit struct {
	// Sample is the number of documents checked per audit; 0 turns the
	// scheduled audit off (`conflux audit --sample N` still runs one).
	// Default 0.
	Sample int `yaml:"sample"`
	// MaxCalls caps the permission checks of one audit. Default 200.
	MaxCalls int `yaml:"max_calls"`
	// MaxCallsPerHour caps the permission checks of all audits within any
	// hour (recorded in NATS, so that it holds across processes).
	// Default 1000.
	MaxCallsPerHour int `yaml:"max_calls_per_hour"`
	// Seed makes the sample repeatable; 0 draws a new sample each audit.
	// Default 0.
	Seed int64 `yaml:"seed"`
}

func (a Audit) validate(v *validator) {
	if a.Sample < 0 {
		v.add("audit.sample", "%d is negative; 0 turns the audit off", a.Sample)
	}
	if a.MaxCalls < 1 {
		v.add("audit.max_calls", "%d is not positive", a.MaxCalls)
	}
	if a.MaxCallsPerHour < 1 {
		v.add("audit.max_calls_per_hour", "%d is not positive", a.MaxCallsPerHour)
	}
}
