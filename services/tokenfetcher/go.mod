module github.com/conflux-dev/conflux/services/tokenfetcher

go 1.26.8

require (
	github.com/alecthomas/kong v1.17.0
	github.com/conflux-dev/conflux/pkg v0.0.0-00010101000000-000000000000
	golang.org/x/oauth2 v0.38.0
)

require go.yaml.in/yaml/v3 v3.0.6 // indirect

replace (
	github.com/conflux-dev/conflux/pkg => ../../pkg
	github.com/conflux-dev/conflux/proto => ../../proto
)
