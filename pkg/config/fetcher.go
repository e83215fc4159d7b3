package config

// validateFetcher checks crawl.fetcher_concurrency.
func (c Crawl) validateFetcher(v *validator) {
	if c.FetcherConcurrency < 0 || c.FetcherConcurrency > 256 {
		v.add("crawl.fetcher_concurrency", "%d is not in 0..256; 0 means the stage table's figure", c.FetcherConcurrency)
	}
}
