package bus_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/jwt/v2"
	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nkeys"

	"github.com/conflux-dev/conflux/pkg/bus"
	"github.com/conflux-dev/conflux/pkg/natstest"
)

func TestConnectAuth(t *testing.T) {
	dir := t.TempDir()
	user, _ := nkeys.CreateUser()
	userPub, _ := user.PublicKey()
	seed, _ := user.Seed()
	seedFile := writeFile(t, dir, "user.nk", seed)
	tlsFiles := makeTLS(t, dir)
	credsServer, credsFile := operatorMode(t, dir)

	tests := []struct {
		name    string
		server  natstest.Option
		connect bus.ConnectOptions
	}{
		{"user and password", func(o *server.Options) { o.Username, o.Password = "crawler", "pw-s3cret" },
			bus.ConnectOptions{User: "crawler", Password: "pw-s3cret"}},
		{"token", func(o *server.Options) { o.Authorization = "tok-s3cret" },
			bus.ConnectOptions{Token: "tok-s3cret"}},
		{"nkey seed file", func(o *server.Options) { o.Nkeys = []*server.NkeyUser{{Nkey: userPub}} },
			bus.ConnectOptions{NKeyFile: seedFile}},
		{"creds file", credsServer, bus.ConnectOptions{CredsFile: credsFile}},
		{"mutual tls", func(o *server.Options) {
			cfg, err := server.GenTLSConfig(&server.TLSConfigOpts{
				CertFile: tlsFiles.serverCert, KeyFile: tlsFiles.serverKey, CaFile: tlsFiles.ca, Verify: true, Timeout: 5,
			})
			if err != nil {
				panic(err)
			}
			o.TLSConfig, o.TLS, o.TLSVerify, o.TLSTimeout = cfg, true, true, 5
		}, bus.ConnectOptions{TLSCA: tlsFiles.ca, TLSCert: tlsFiles.clientCert, TLSKey: tlsFiles.clientKey}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := natstest.Start(t, tt.server, func(o *server.Options) { o.JetStream = false })
			ctx := testCtx(t)
			o := tt.connect
			o.URL, o.Name = s.ClientURL(), "test"
			nc, err := bus.Connect(ctx, o)
			if err != nil {
				t.Fatal(err)
			}
			defer nc.Close()
			if err := nc.FlushTimeout(10 * time.Second); err != nil {
				t.Fatal(err)
			}

			// Without the credentials the server refuses, at once.
			start := time.Now()
			_, err = bus.Connect(ctx, bus.ConnectOptions{URL: s.ClientURL(), User: "crawler", Password: "wrong-pw", ConnectTimeout: time.Minute})
			if err == nil {
				t.Fatal("connected with wrong credentials")
			}
			if time.Since(start) > 30*time.Second {
				t.Errorf("a refused connection was retried for %s", time.Since(start))
			}
			for _, secret := range []string{"wrong-pw", "s3cret"} {
				if strings.Contains(err.Error(), secret) {
					t.Errorf("error %q shows a secret", err)
				}
			}
		})
	}
}

// The first connection is retried until the server comes up; an
// unreachable server is given up after ConnectTimeout, and the error shows
// no password from the URL.
func TestConnectRetry(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()

	url := fmt.Sprintf("nats://crawler:pw-s3cret@127.0.0.1:%d", port)
	_, err = bus.Connect(context.Background(), bus.ConnectOptions{URL: url, ConnectTimeout: 500 * time.Millisecond})
	if err == nil {
		t.Fatal("connected to nothing")
	}
	if strings.Contains(err.Error(), "s3cret") || !strings.Contains(err.Error(), "gave up") {
		t.Fatalf("error %q: want 'gave up' and no password", err)
	}

	done := make(chan error, 1)
	go func() {
		nc, err := bus.Connect(context.Background(), bus.ConnectOptions{URL: url, ConnectTimeout: time.Minute})
		if err == nil {
			nc.Close()
		}
		done <- err
	}()
	time.Sleep(700 * time.Millisecond)
	natstest.Start(t, func(o *server.Options) {
		o.Port, o.Username, o.Password, o.JetStream = port, "crawler", "pw-s3cret", false
	})
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(time.Minute):
		t.Fatal("Connect did not return after the server came up")
	}
}

func TestRedactURL(t *testing.T) {
	got := bus.RedactURL("nats://u:p4ss@h1:4222, nats://h2:4222,tls://tok3n@h3:4443")
	if strings.Contains(got, "p4ss") || strings.Contains(got, "tok3n") || !strings.Contains(got, "h2:4222") {
		t.Fatalf("RedactURL = %q", got)
	}
}

func writeFile(t *testing.T, dir, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// operatorMode returns a server option for decentralized auth (operator,
// account, user JWTs in memory) and a creds file for its user.
func operatorMode(t *testing.T, dir string) (natstest.Option, string) {
	t.Helper()
	op, _ := nkeys.CreateOperator()
	opPub, _ := op.PublicKey()
	oc := jwt.NewOperatorClaims(opPub)
	opJWT, err := oc.Encode(op)
	if err != nil {
		t.Fatal(err)
	}
	opClaims, err := jwt.DecodeOperatorClaims(opJWT)
	if err != nil {
		t.Fatal(err)
	}
	acc, _ := nkeys.CreateAccount()
	accPub, _ := acc.PublicKey()
	accJWT, err := jwt.NewAccountClaims(accPub).Encode(op)
	if err != nil {
		t.Fatal(err)
	}
	usr, _ := nkeys.CreateUser()
	usrPub, _ := usr.PublicKey()
	uc := jwt.NewUserClaims(usrPub)
	uc.IssuerAccount = accPub
	usrJWT, err := uc.Encode(acc)
	if err != nil {
		t.Fatal(err)
	}
	seed, _ := usr.Seed()
	creds, err := jwt.FormatUserConfig(usrJWT, seed)
	if err != nil {
		t.Fatal(err)
	}
	file := writeFile(t, dir, "user.creds", creds)
	return func(o *server.Options) {
		r := &server.MemAccResolver{}
		if err := r.Store(accPub, accJWT); err != nil {
			panic(err)
		}
		o.TrustedOperators = []*jwt.OperatorClaims{opClaims}
		o.AccountResolver = r
		o.NoSystemAccount = true
	}, file
}

type tlsFiles struct{ ca, serverCert, serverKey, clientCert, clientKey string }

// makeTLS writes a CA and a server and a client certificate signed by it.
func makeTLS(t *testing.T, dir string) tlsFiles {
	t.Helper()
	caKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	caTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "test ca"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, _ := x509.ParseCertificate(caDER)
	leaf := func(name string, serial int64, usage x509.ExtKeyUsage) (string, string) {
		key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		tmpl := &x509.Certificate{
			SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: name},
			NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
			KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{usage},
			IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, DNSNames: []string{"localhost"},
		}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
		if err != nil {
			t.Fatal(err)
		}
		kb, _ := x509.MarshalECPrivateKey(key)
		return writeFile(t, dir, name+".pem", pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})),
			writeFile(t, dir, name+"-key.pem", pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}))
	}
	f := tlsFiles{ca: writeFile(t, dir, "ca.pem", pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER}))}
	f.serverCert, f.serverKey = leaf("server", 2, x509.ExtKeyUsageServerAuth)
	f.clientCert, f.clientKey = leaf("client", 3, x509.ExtKeyUsageClientAuth)
	return f
}
