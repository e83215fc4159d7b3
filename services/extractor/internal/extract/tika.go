package extract

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// tikaFormat sends a file to the Apache Tika server at l.TikaURL.
func tikaFormat(l Limits) *format {
	t := &tikaClient{url: strings.TrimRight(l.TikaURL, "/") + "/tika", http: l.HTTP}
	return &format{name: "tika", tika: t.text}
}

type tikaClient struct {
	url  string
	http *http.Client
}

// text asks Tika for the plain text of f: PUT /tika with the bytes as the
// body and Accept: text/plain. 200 and 204 are the text (204: none); 415
// is a format Tika does not read either; 422 a file it could not parse
// (corrupt or encrypted); anything else a failure.
func (t *tikaClient) text(ctx context.Context, f File, body io.Reader, out *textBuf) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, t.url, body)
	if err != nil {
		return fmt.Errorf("tika: %w", err)
	}
	req.ContentLength = f.Size
	req.Header.Set("Accept", "text/plain; charset=UTF-8")
	if f.MediaType != "" {
		req.Header.Set("Content-Type", f.MediaType)
	}
	if f.Name != "" {
		req.Header.Set("Content-Disposition", `attachment; filename="`+strings.ReplaceAll(f.Name, `"`, "")+`"`)
	}
	resp, err := t.http.Do(req)
	if err != nil {
		return fmt.Errorf("tika: %w", err)
	}
	defer resp.Body.Close()
	switch resp.StatusCode {
	case http.StatusOK:
		return plainText(ctx, &ctxReader{ctx: ctx, r: resp.Body}, out)
	case http.StatusNoContent:
		return nil
	case http.StatusUnsupportedMediaType:
		return errUnsupported
	case http.StatusUnprocessableEntity:
		return fmt.Errorf("tika could not parse the file (status 422: corrupt or encrypted)")
	}
	return fmt.Errorf("tika answered %s", resp.Status)
}
