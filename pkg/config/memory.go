package config

// DefaultMemoryLimit is the default of nats.memory_limit: 200 MiB.
const DefaultMemoryLimit = 200 * MiB

// minMemoryLimit is the least nats.memory_limit other than 0: below it
// the collector would run all the time.
const minMemoryLimit = 64 * MiB

func (n NATS) validateMemoryLimit(v *validator) {
	if n.MemoryLimit < 0 {
		v.add("nats.memory_limit", "%d is negative; 0 sets no limit", n.MemoryLimit)
	} else if n.MemoryLimit > 0 && n.MemoryLimit < minMemoryLimit {
		v.add("nats.memory_limit", "%s is below %s; 0 sets no limit", n.MemoryLimit, minMemoryLimit)
	}
}
