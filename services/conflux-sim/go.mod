module github.com/conflux-dev/conflux/services/conflux-sim

go 1.26.8

require (
	github.com/alecthomas/kong v1.17.0
	github.com/conflux-dev/conflux/pkg v0.0.0-00010101000000-000000000000
)

replace (
	github.com/conflux-dev/conflux/pkg => ../../pkg
	github.com/conflux-dev/conflux/proto => ../../proto
)
