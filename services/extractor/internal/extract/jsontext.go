package extract

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// jsonFrame is one open container of a JSON document.
type jsonFrame struct{ object, wantKey bool }

// jsonText writes the values of a JSON document (strings and numbers, one
// a line), not its keys or punctuation. Several documents in a row (JSON
// Lines) are read one after the other.
func jsonText(_ context.Context, r io.Reader, out *textBuf) error {
	dec := json.NewDecoder(r)
	dec.UseNumber()
	var open []jsonFrame
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("json: %w", err)
		}
		if d, ok := tok.(json.Delim); ok && (d == '}' || d == ']') {
			open = open[:max(0, len(open)-1)]
			continue
		}
		if n := len(open); n > 0 && open[n-1].object {
			top := &open[n-1]
			isKey := top.wantKey
			top.wantKey = !isKey
			if isKey {
				continue
			}
		}
		if err := jsonToken(out, tok, &open); err != nil {
			return err
		}
	}
}

// jsonToken writes a value, or opens a container.
func jsonToken(out *textBuf, tok json.Token, open *[]jsonFrame) error {
	switch v := tok.(type) {
	case json.Delim:
		*open = append(*open, jsonFrame{object: v == '{', wantKey: v == '{'})
	case string:
		return line(out, v)
	case json.Number:
		return line(out, v.String())
	}
	return nil
}

func line(out *textBuf, s string) error {
	if err := out.Text(s); err != nil {
		return err
	}
	return out.Newline()
}
