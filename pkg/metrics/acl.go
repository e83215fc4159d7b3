package metrics

import "github.com/prometheus/client_golang/prometheus"

// aclMetrics count the accounts the permission resolver put in ACLs and
// how many of them have an email: the ACL email coverage is
// conflux_acl_accounts_with_email_total / conflux_acl_accounts_total.
type aclMetrics struct {
	accounts, withEmail prometheus.Counter
}

func newACLMetrics() *aclMetrics {
	return &aclMetrics{
		accounts: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "conflux_acl_accounts_total",
			Help: "Accounts allowed to read documents (once per space and crawl in this process), with or without an email.",
		}),
		withEmail: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "conflux_acl_accounts_with_email_total",
			Help: "Of conflux_acl_accounts_total, the accounts with an email in the ACLs.",
		}),
	}
}

func (a *aclMetrics) collectors() []prometheus.Collector {
	return []prometheus.Collector{a.accounts, a.withEmail}
}

// ACLAccount counts one account allowed to read a space's documents,
// with or without an email.
func (m *Metrics) ACLAccount(hasEmail bool) {
	if m == nil {
		return
	}
	m.acl.accounts.Inc()
	if hasEmail {
		m.acl.withEmail.Inc()
	}
}
