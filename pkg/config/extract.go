package config

import "time"

// Extract limits the extractor stage, which turns stored attachment bytes
// into the text of their documents (content.attachments.extract).
type Extract struct {
	// MaxFileSize is the largest stored file whose text is extracted; a
	// larger one keeps its document with empty text and the extraction
	// "skipped: …", and is never read. 0 means no limit. Default 50MB.
	MaxFileSize ByteSize `yaml:"max_file_size"`
	// MaxText is the most text kept per document, in bytes of UTF-8; the
	// rest is cut and the extraction says "truncated". Default 1MB.
	MaxText ByteSize `yaml:"max_text"`
	// Timeout is the time limit per file; a file not done by then keeps
	// its document with empty text and "failed: time limit …".
	// Default 30s.
	Timeout Duration `yaml:"timeout"`
	// TikaURL is an Apache Tika server (e.g. http://tika:9998) asked, by
	// PUT /tika, for the text of the formats the extractor does not read
	// itself. Empty (the default) means off: those files are
	// "unsupported".
	TikaURL string `yaml:"tika_url"`
}

// DefaultExtract returns the defaults of content.attachments.extract; it
// is what Default uses.
func DefaultExtract() Extract {
	return Extract{MaxFileSize: 50 * MB, MaxText: 1 * MB, Timeout: Duration(30 * time.Second)}
}

func (e Extract) validate(v *validator) {
	const key = "content.attachments.extract."
	if e.MaxFileSize < 0 {
		v.add(key+"max_file_size", "%d is negative", e.MaxFileSize)
	}
	if e.MaxText <= 0 {
		v.add(key+"max_text", "%d is not positive", e.MaxText)
	}
	if e.Timeout <= 0 {
		v.add(key+"timeout", "%s is not positive", e.Timeout)
	}
	if e.TikaURL != "" {
		v.httpURL(key+"tika_url", e.TikaURL)
	}
}
