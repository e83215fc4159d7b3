package config

import (
	"strings"
	"testing"
	"time"
)

func TestExtractDefaultsAndOverrides(t *testing.T) {
	c, err := Parse([]byte(minimal), "c.yaml", envOf(nil))
	if err != nil {
		t.Fatal(err)
	}
	got := c.Content.Attachments.Extract
	if got.MaxFileSize != 50*MB || got.MaxText != 1*MB || got.Timeout.Std() != 30*time.Second || got.TikaURL != "" {
		t.Errorf("defaults = %+v", got)
	}
	file := minimal + "content:\n  attachments:\n    extract:\n      max_file_size: 5MiB\n      timeout: 2m\n"
	c, err = Parse([]byte(file), "c.yaml", envOf(map[string]string{
		"CONFLUX_CONTENT_ATTACHMENTS_EXTRACT_MAX_TEXT": "64KiB",
		"CONFLUX_CONTENT_ATTACHMENTS_EXTRACT_TIKA_URL": "http://tika:9998",
	}))
	if err != nil {
		t.Fatal(err)
	}
	got = c.Content.Attachments.Extract
	if got.MaxFileSize != 5*MiB || got.MaxText != 64*KiB || got.Timeout.Std() != 2*time.Minute || got.TikaURL != "http://tika:9998" {
		t.Errorf("set = %+v", got)
	}
}

func TestExtractValidation(t *testing.T) {
	for name, tc := range map[string]struct {
		yaml, want string
	}{
		"negative file size": {"max_file_size: -1", `content.attachments.extract.max_file_size: "-1" is not a size`},
		"zero text":          {"max_text: 0", "content.attachments.extract.max_text: 0 is not positive"},
		"zero timeout":       {"timeout: 0s", "content.attachments.extract.timeout: 0s is not positive"},
		"tika not a URL":     {"tika_url: tika:9998", `content.attachments.extract.tika_url: "tika:9998" is not an http(s) URL`},
	} {
		t.Run(name, func(t *testing.T) {
			file := minimal + "content:\n  attachments:\n    extract:\n      " + tc.yaml + "\n"
			_, err := Parse([]byte(file), "c.yaml", envOf(nil))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err %v, want %q", err, tc.want)
			}
		})
	}
}
