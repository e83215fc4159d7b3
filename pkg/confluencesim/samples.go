package confluencesim

import (
	"archive/zip"
	"bytes"
	"fmt"
	"path"
	"strings"
)

// SampleFile is a small real file of one format, made by code, with the
// phrase that a correct text extractor finds in it.
type SampleFile struct {
	Name      string
	MediaType string
	Data      []byte
	// Text is a phrase of the file's text (white space collapsed).
	Text string
}

// sampleMakers build a file of one format (by extension) around a
// phrase; the phrase must be plain ASCII words.
var sampleMakers = map[string]func(phrase string) []byte{
	".txt": func(p string) []byte { return []byte("Release notes\n\n" + p + "\nEnd of notes.\n") },
	".md":  func(p string) []byte { return []byte("# Runbook\n\n- " + p + "\n- second *item*\n") },
	".csv": func(p string) []byte {
		return []byte("id,summary,owner\n1,\"" + p + "\",ops\n2,\"quoted, with comma\",dev\n")
	},
	".json": func(p string) []byte {
		return []byte(`{"title": "Plan", "items": [{"summary": "` + p + `", "points": 3}]}`)
	},
	".xml": func(p string) []byte {
		return []byte(`<?xml version="1.0" encoding="UTF-8"?><plan version="2"><title>Plan</title><item priority="high">` + p + `</item></plan>`)
	},
	".html": func(p string) []byte {
		return []byte(`<!DOCTYPE html><html><head><title>Plan</title><style>p{color:red}</style><script>var hidden = 1;</script></head>` +
			`<body><h1>Plan</h1><p>` + p + `</p><ul><li>one</li><li>two</li></ul></body></html>`)
	},
	".docx": sampleDOCX,
	".pptx": samplePPTX,
	".xlsx": sampleXLSX,
	".pdf":  samplePDF,
}

// sampleTypes are the media types of the sample formats.
var sampleTypes = map[string]string{
	".txt": "text/plain", ".md": "text/markdown", ".csv": "text/csv", ".json": "application/json",
	".xml": "application/xml", ".html": "text/html",
	".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
	".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
	".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
	".pdf":  "application/pdf",
}

// SampleExtensions lists the formats SampleFiles makes, in a fixed order.
var SampleExtensions = []string{".txt", ".md", ".csv", ".json", ".xml", ".html", ".docx", ".pptx", ".xlsx", ".pdf"}

// SampleFiles returns one small real file of every sample format, each
// with its own phrase ("sample <format> file about <topic>").
func SampleFiles(topic string) []SampleFile {
	out := make([]SampleFile, 0, len(SampleExtensions))
	for _, ext := range SampleExtensions {
		phrase := "sample " + ext[1:] + " file about " + topic
		out = append(out, SampleFile{Name: "sample" + ext, MediaType: sampleTypes[ext], Data: sampleMakers[ext](phrase), Text: phrase})
	}
	return out
}

// withRealFiles gives every attachment whose name has a sample format
// real bytes of that format (its phrase names the file), in place of the
// generated ones. It draws no random numbers and adds nothing, so a
// tenant's ids, listings and call counts stay as they were; only sizes
// change.
func withRealFiles(t *Tenant) *Tenant {
	for _, a := range t.Attachments {
		mk, ok := sampleMakers[strings.ToLower(path.Ext(a.Title))]
		if !ok || a.Data != nil {
			continue
		}
		phrase := "attachment " + strings.NewReplacer(".", " ", "-", " ", "_", " ").Replace(a.Title) + " version " + fmt.Sprint(a.Version)
		a.Data, a.Text = mk(phrase), phrase
		a.Size = int64(len(a.Data))
	}
	return t
}

// zipOf writes a zip archive of the given parts (name, content pairs).
func zipOf(parts ...string) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for i := 0; i+1 < len(parts); i += 2 {
		w, _ := zw.Create(parts[i])
		_, _ = w.Write([]byte(parts[i+1]))
	}
	_ = zw.Close()
	return buf.Bytes()
}

const xmlHead = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n"

func contentTypes(overrides ...string) string {
	s := xmlHead + `<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
		`<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>` +
		`<Default Extension="xml" ContentType="application/xml"/>`
	for i := 0; i+1 < len(overrides); i += 2 {
		s += `<Override PartName="` + overrides[i] + `" ContentType="` + overrides[i+1] + `"/>`
	}
	return s + `</Types>`
}

func rels(kind, target string) string {
	return xmlHead + `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
		`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/` + kind +
		`" Target="` + target + `"/></Relationships>`
}

// sampleDOCX is a one-paragraph Word document whose phrase is split over
// two runs (as Word does), plus a heading paragraph.
func sampleDOCX(phrase string) []byte {
	cut := len(phrase) / 2
	doc := xmlHead + `<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>` +
		`<w:p><w:pPr><w:pStyle w:val="Heading1"/></w:pPr><w:r><w:t>Plan</w:t></w:r></w:p>` +
		`<w:p><w:r><w:t xml:space="preserve">` + phrase[:cut] + `</w:t></w:r><w:r><w:rPr><w:b/></w:rPr><w:t xml:space="preserve">` +
		phrase[cut:] + `</w:t></w:r></w:p></w:body></w:document>`
	return zipOf(
		"[Content_Types].xml", contentTypes("/word/document.xml", "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"),
		"_rels/.rels", rels("officeDocument", "word/document.xml"),
		"word/document.xml", doc)
}

// samplePPTX is a two-slide presentation: a title slide, then the phrase.
func samplePPTX(phrase string) []byte {
	slide := func(text string) string {
		return xmlHead + `<p:sld xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" ` +
			`xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main"><p:cSld><p:spTree><p:sp><p:txBody>` +
			`<a:bodyPr/><a:p><a:r><a:t>` + text + `</a:t></a:r></a:p></p:txBody></p:sp></p:spTree></p:cSld></p:sld>`
	}
	const slideType = "application/vnd.openxmlformats-officedocument.presentationml.slide+xml"
	return zipOf(
		"[Content_Types].xml", contentTypes(
			"/ppt/presentation.xml", "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml",
			"/ppt/slides/slide1.xml", slideType, "/ppt/slides/slide2.xml", slideType),
		"_rels/.rels", rels("officeDocument", "ppt/presentation.xml"),
		"ppt/presentation.xml", xmlHead+`<p:presentation xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main"/>`,
		"ppt/slides/slide1.xml", slide("Quarterly review"),
		"ppt/slides/slide2.xml", slide(phrase))
}

// sampleXLSX is a one-sheet workbook with inline strings and a number.
func sampleXLSX(phrase string) []byte {
	sheet := xmlHead + `<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>` +
		`<row r="1"><c r="A1" t="inlineStr"><is><t>summary</t></is></c><c r="B1" t="inlineStr"><is><t>points</t></is></c></row>` +
		`<row r="2"><c r="A2" t="inlineStr"><is><t>` + phrase + `</t></is></c><c r="B2"><v>42</v></c></row>` +
		`</sheetData></worksheet>`
	return zipOf(
		"[Content_Types].xml", contentTypes(
			"/xl/workbook.xml", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
			"/xl/worksheets/sheet1.xml", "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"),
		"_rels/.rels", rels("officeDocument", "xl/workbook.xml"),
		"xl/workbook.xml", xmlHead+`<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" `+
			`xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>`+
			`<sheet name="Plan" sheetId="1" r:id="rId1"/></sheets></workbook>`,
		"xl/_rels/workbook.xml.rels", rels("worksheet", "worksheets/sheet1.xml"),
		"xl/worksheets/sheet1.xml", sheet)
}

// samplePDF is a one-page PDF 1.4 with the phrase in a Helvetica text
// object, its cross-reference table at the right offsets.
func samplePDF(phrase string) []byte {
	esc := strings.NewReplacer(`\`, `\\`, `(`, `\(`, `)`, `\)`).Replace(phrase)
	content := "BT /F1 12 Tf 72 720 Td (" + esc + ") Tj ET"
	objs := []string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
		fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", len(content), content),
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
	}
	var b bytes.Buffer
	b.WriteString("%PDF-1.4\n")
	offsets := make([]int, len(objs))
	for i, o := range objs {
		offsets[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objs)+1)
	for _, off := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objs)+1, xref)
	return b.Bytes()
}
