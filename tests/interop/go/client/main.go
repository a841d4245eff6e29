// hs_go_client: Go's crypto/tls (and net/http) as a client peer for tests/interop/go_test.cc.
// Standard library only, so it builds offline with GO111MODULE=off.
//
// Raw mode (default) makes -n connections to -connect, sharing one ClientSessionCache, and for
// each prints one line
//
//	conn=1 version=TLS1.3 cipher=TLS_AES_128_GCM_SHA256 alpn=http/1.1 resumed=false chain=2
//
// then, with -get PATH, sends "GET PATH HTTP/1.1" over the connection and prints the response
// between "--- response 1 ---" and "--- end 1 ---". Reading the response also reads TLS 1.3
// NewSessionTicket messages, which resumption needs.
//
// With -url, it fetches the URL once through net/http (HTTP/2 when -h2 and the server agrees)
// and prints "http status=200 proto=HTTP/2.0 version=... cipher=... alpn=..." and the body
// between the same markers.
//
// Exit status 0 when every connection succeeded, 1 otherwise (the error on stderr).
package main

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"time"
)

var (
	connect    = flag.String("connect", "", "ADDRESS:PORT to dial")
	serverName = flag.String("servername", "localhost", "SNI and the name the certificate must match")
	caFile     = flag.String("cafile", "", "PEM roots to verify the server with (required unless -insecure)")
	insecure   = flag.Bool("insecure", false, "skip certificate verification")
	minVersion = flag.String("min", "1.2", "lowest version: 1.2 or 1.3")
	maxVersion = flag.String("max", "1.3", "highest version: 1.2 or 1.3")
	ciphers    = flag.String("ciphers", "", "TLS 1.2 suites, comma separated OpenSSL names (default: Go's)")
	curves     = flag.String("curves", "", "CurvePreferences, comma separated: X25519,P-256,P-384,P-521 (the first gets the TLS 1.3 key share)")
	alpn       = flag.String("alpn", "", "ALPN protocols, comma separated")
	certFile   = flag.String("cert", "", "client certificate chain (PEM)")
	keyFile    = flag.String("key", "", "client private key (PEM)")
	conns      = flag.Int("n", 1, "connections to make, one after the other, sharing a session cache")
	getPath    = flag.String("get", "", "send GET PATH over each connection and print the response")
	url        = flag.String("url", "", "fetch this https URL through net/http instead")
	h2         = flag.Bool("h2", false, "with -url: let net/http use HTTP/2")
	ekm        = flag.String("ekm", "", "print ExportKeyingMaterial(LABEL) of each connection")
	ekmLen     = flag.Int("ekm-len", 20, "with -ekm: bytes to export")
	ekmContext = flag.String("ekm-context", "none", "with -ekm: context, hex (\"none\": no context)")
)

var versions = map[string]uint16{"1.2": tls.VersionTLS12, "1.3": tls.VersionTLS13}

var versionNames = map[uint16]string{tls.VersionTLS12: "TLS1.2", tls.VersionTLS13: "TLS1.3"}

// The TLS 1.2 AEAD suites Go implements, by the names OpenSSL (and hs) use.
var suites = map[string]uint16{
	"ECDHE-ECDSA-AES128-GCM-SHA256": tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
	"ECDHE-ECDSA-AES256-GCM-SHA384": tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
	"ECDHE-ECDSA-CHACHA20-POLY1305": tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
	"ECDHE-RSA-AES128-GCM-SHA256":   tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
	"ECDHE-RSA-AES256-GCM-SHA384":   tls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
	"ECDHE-RSA-CHACHA20-POLY1305":   tls.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
}

var curveIDs = map[string]tls.CurveID{
	"X25519": tls.X25519, "P-256": tls.CurveP256, "P-384": tls.CurveP384, "P-521": tls.CurveP521,
}

func fail(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, "hs_go_client: "+format+"\n", args...)
	os.Exit(1)
}

func list(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}

func config() *tls.Config {
	cfg := &tls.Config{
		ServerName:         *serverName,
		InsecureSkipVerify: *insecure,
		ClientSessionCache: tls.NewLRUClientSessionCache(8),
		NextProtos:         list(*alpn),
	}
	var ok bool
	if cfg.MinVersion, ok = versions[*minVersion]; !ok {
		fail("bad -min %q", *minVersion)
	}
	if cfg.MaxVersion, ok = versions[*maxVersion]; !ok {
		fail("bad -max %q", *maxVersion)
	}
	for _, name := range list(*ciphers) {
		id, ok := suites[name]
		if !ok {
			fail("unknown suite %q", name)
		}
		cfg.CipherSuites = append(cfg.CipherSuites, id)
	}
	for _, name := range list(*curves) {
		id, ok := curveIDs[name]
		if !ok {
			fail("unknown curve %q", name)
		}
		cfg.CurvePreferences = append(cfg.CurvePreferences, id)
	}
	if *caFile != "" {
		pem, err := os.ReadFile(*caFile)
		if err != nil {
			fail("%v", err)
		}
		cfg.RootCAs = x509.NewCertPool()
		if !cfg.RootCAs.AppendCertsFromPEM(pem) {
			fail("no certificates in %s", *caFile)
		}
	} else if !*insecure {
		fail("-cafile or -insecure is required")
	}
	if *certFile != "" {
		pair, err := tls.LoadX509KeyPair(*certFile, *keyFile)
		if err != nil {
			fail("%v", err)
		}
		cfg.Certificates = []tls.Certificate{pair}
	}
	return cfg
}

func describe(st tls.ConnectionState) string {
	return fmt.Sprintf("version=%s cipher=%s alpn=%s resumed=%t chain=%d", versionNames[st.Version],
		tls.CipherSuiteName(st.CipherSuite), st.NegotiatedProtocol, st.DidResume,
		len(st.PeerCertificates))
}

// printEkm prints "ekm=N HEX" (or "ekm=N error: ...") for -ekm: a nil context is none, an
// empty one is a context of zero length (TLS 1.2 tells them apart, RFC 5705).
func printEkm(st tls.ConnectionState, n int) {
	var context []byte
	if *ekmContext != "none" {
		c, err := hex.DecodeString(*ekmContext)
		if err != nil {
			fail("-ekm-context: %v", err)
		}
		context = append([]byte{}, c...)
	}
	km, err := st.ExportKeyingMaterial(*ekm, context, *ekmLen)
	if err != nil {
		fmt.Printf("ekm=%d error: %v\n", n, err)
		return
	}
	fmt.Printf("ekm=%d %x\n", n, km)
}

func rawConnection(cfg *tls.Config, n int) error {
	dialer := &net.Dialer{Timeout: 10 * time.Second}
	conn, err := tls.DialWithDialer(dialer, "tcp", *connect, cfg)
	if err != nil {
		return err
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(20 * time.Second))
	fmt.Printf("conn=%d %s\n", n, describe(conn.ConnectionState()))
	if *ekm != "" {
		printEkm(conn.ConnectionState(), n)
	}
	if *getPath == "" {
		return nil
	}
	fmt.Fprintf(conn, "GET %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n", *getPath, *serverName)
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	fmt.Printf("--- response %d ---\n%s\n%s--- end %d ---\n", n, resp.Status, body, n)
	return nil
}

func httpGet(cfg *tls.Config) error {
	transport := &http.Transport{
		TLSClientConfig:   cfg,
		ForceAttemptHTTP2: *h2,
		// Every host name in -url goes to -connect.
		DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, network, *connect)
		},
	}
	defer transport.CloseIdleConnections()
	client := &http.Client{Transport: transport, Timeout: 20 * time.Second}
	resp, err := client.Get(*url)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.TLS == nil {
		return errors.New("response without TLS state")
	}
	fmt.Printf("http status=%d proto=%s %s\n--- response 1 ---\n%s--- end 1 ---\n", resp.StatusCode,
		resp.Proto, describe(*resp.TLS), body)
	return nil
}

func main() {
	flag.Parse()
	if *connect == "" {
		fail("-connect is required")
	}
	cfg := config()
	if *url != "" {
		if err := httpGet(cfg); err != nil {
			fail("%v", err)
		}
		return
	}
	for n := 1; n <= *conns; n++ {
		if err := rawConnection(cfg, n); err != nil {
			fail("connection %d: %v", n, err)
		}
	}
}
