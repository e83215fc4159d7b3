package confluence

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"log/slog"
	"strings"
	"testing"
)

func TestBasicAuth(t *testing.T) {
	cred, err := BasicAuth("https://acme.atlassian.net/", "demo@example.com", "demo-token").Credential(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := "Basic " + base64.StdEncoding.EncodeToString([]byte("demo@example.com:demo-token"))
	if cred.Authorization != want {
		t.Errorf("Authorization = %q, want %q", cred.Authorization, want)
	}
	if cred.BaseURL != "https://acme.atlassian.net/" || cred.base() != "https://acme.atlassian.net" {
		t.Errorf("BaseURL = %q, base() = %q", cred.BaseURL, cred.base())
	}
	if cred.Bearer() {
		t.Error("Basic credential reports Bearer")
	}
	if b, _ := BearerToken("https://api.example/ex/confluence/c1", "tok").Credential(context.Background()); !b.Bearer() {
		t.Error("bearer credential does not report Bearer")
	}
}

func TestCredentialNeverPrintsTheSecret(t *testing.T) {
	const secret = "s3cr3t-token-value"
	cred := Credential{Authorization: "Bearer " + secret, BaseURL: "https://api.example/ex/confluence/c1"}
	creds := BearerToken(cred.BaseURL, secret)
	var logs bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&logs, nil))
	log.Info("credential", "cred", cred, "creds", creds)
	slog.New(slog.NewTextHandler(&logs, nil)).Info("credential", "cred", cred)
	outputs := []string{
		fmt.Sprint(cred), fmt.Sprintf("%v %+v %#v %s %q", cred, cred, cred, cred, cred),
		fmt.Sprintf("%v %+v %#v %s", creds, creds, creds, creds),
		fmt.Sprintf("%v %+v", &cred, []Credential{cred}), logs.String(),
	}
	for _, out := range outputs {
		if strings.Contains(out, secret) {
			t.Errorf("secret printed: %s", out)
		}
	}
	if !strings.Contains(fmt.Sprint(cred), "api.example") || !strings.Contains(logs.String(), "[redacted]") {
		t.Errorf("redacted output lost the useful part: %s / %s", fmt.Sprint(cred), logs.String())
	}
}

func TestGatewayURL(t *testing.T) {
	if got := GatewayURL("https://api.atlassian.com/", "abc"); got != "https://api.atlassian.com/ex/confluence/abc" {
		t.Errorf("GatewayURL = %q", got)
	}
}
