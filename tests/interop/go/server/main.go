// hs_go_server: Go's crypto/tls and net/http (HTTP/1.1 and HTTP/2) as a server peer for
// tests/interop/go_test.cc. Standard library only, so it builds offline with GO111MODULE=off.
//
// It listens on -listen (port 0 picks a free one), prints "listening on 127.0.0.1:PORT" once it
// accepts connections, and answers every request with one line describing the connection:
//
//	proto=HTTP/2.0 version=TLS1.3 cipher=TLS_AES_128_GCM_SHA256 alpn=h2 resumed=false client=CN
//
// (client=- without a client certificate). It runs until it is killed.
package main

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"strings"
)

var (
	listen     = flag.String("listen", "127.0.0.1:0", "ADDRESS:PORT to listen on")
	certFile   = flag.String("cert", "", "certificate chain (PEM, leaf first)")
	keyFile    = flag.String("key", "", "private key (PEM)")
	minVersion = flag.String("min", "1.2", "lowest version: 1.2 or 1.3")
	maxVersion = flag.String("max", "1.3", "highest version: 1.2 or 1.3")
	curves     = flag.String("curves", "", "CurvePreferences, comma separated: X25519,P-256,P-384,P-521")
	clientCA   = flag.String("clientca", "", "require a client certificate issued by these roots (PEM)")
	noTickets  = flag.Bool("no-tickets", false, "SessionTicketsDisabled")
	ekm        = flag.String("ekm", "", "add ExportKeyingMaterial(LABEL, CONTEXT, 32) to each response")
	ekmContext = flag.String("ekm-context", "none", "with -ekm: context, hex (\"none\": no context)")
)

var versions = map[string]uint16{"1.2": tls.VersionTLS12, "1.3": tls.VersionTLS13}

var versionNames = map[uint16]string{tls.VersionTLS12: "TLS1.2", tls.VersionTLS13: "TLS1.3"}

var curveIDs = map[string]tls.CurveID{
	"X25519": tls.X25519, "P-256": tls.CurveP256, "P-384": tls.CurveP384, "P-521": tls.CurveP521,
}

func fail(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, "hs_go_server: "+format+"\n", args...)
	os.Exit(1)
}

func handler(w http.ResponseWriter, r *http.Request) {
	st := r.TLS
	client := "-"
	if len(st.PeerCertificates) > 0 {
		client = st.PeerCertificates[0].Subject.CommonName
	}
	fmt.Fprintf(w, "proto=%s version=%s cipher=%s alpn=%s resumed=%t client=%s\n", r.Proto,
		versionNames[st.Version], tls.CipherSuiteName(st.CipherSuite), st.NegotiatedProtocol,
		st.DidResume, client)
	if *ekm != "" {
		var context []byte
		if *ekmContext != "none" {
			c, err := hex.DecodeString(*ekmContext)
			if err != nil {
				fail("-ekm-context: %v", err)
			}
			context = append([]byte{}, c...)
		}
		km, err := st.ExportKeyingMaterial(*ekm, context, 32)
		if err != nil {
			fmt.Fprintf(w, "ekm error: %v\n", err)
		} else {
			fmt.Fprintf(w, "ekm=%x\n", km)
		}
	}
}

func main() {
	flag.Parse()
	pair, err := tls.LoadX509KeyPair(*certFile, *keyFile)
	if err != nil {
		fail("%v", err)
	}
	cfg := &tls.Config{Certificates: []tls.Certificate{pair}, SessionTicketsDisabled: *noTickets}
	var ok bool
	if cfg.MinVersion, ok = versions[*minVersion]; !ok {
		fail("bad -min %q", *minVersion)
	}
	if cfg.MaxVersion, ok = versions[*maxVersion]; !ok {
		fail("bad -max %q", *maxVersion)
	}
	if *curves != "" {
		for _, name := range strings.Split(*curves, ",") {
			id, ok := curveIDs[name]
			if !ok {
				fail("unknown curve %q", name)
			}
			cfg.CurvePreferences = append(cfg.CurvePreferences, id)
		}
	}
	if *clientCA != "" {
		pem, err := os.ReadFile(*clientCA)
		if err != nil {
			fail("%v", err)
		}
		cfg.ClientCAs = x509.NewCertPool()
		if !cfg.ClientCAs.AppendCertsFromPEM(pem) {
			fail("no certificates in %s", *clientCA)
		}
		cfg.ClientAuth = tls.RequireAndVerifyClientCert
	}
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		fail("%v", err)
	}
	fmt.Printf("listening on %s\n", ln.Addr())
	os.Stdout.Sync()
	// ServeTLS offers h2 and http/1.1 in ALPN and speaks HTTP/2 when the client picks h2.
	srv := &http.Server{Handler: http.HandlerFunc(handler), TLSConfig: cfg}
	fail("%v", srv.ServeTLS(ln, "", ""))
}
