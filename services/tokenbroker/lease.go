package tokenbroker

import (
	"context"

	"github.com/conflux-dev/conflux/pkg/bus"
)

// acquireLease tries once for the right to refresh (a bus.Lease on the
// site's key in the leases bucket, renewed every third of its TTL); ok is
// false when another replica holds it.
func (s *Service) acquireLease(ctx context.Context) (*bus.Lease, bool, error) {
	return bus.AcquireLease(ctx, s.leasesKV, s.lkey, s.o.holder, s.leaseTTL/3, s.log)
}
