// JssePeer: Java's JSSE (javax.net.ssl, OpenJDK 17) as a client and server peer for
// tests/interop/java_test.cc. Standard library only, one file, run without a build step as a
// single-file source program (`java JssePeer.java client|server ...`); the JRE alone can do that:
// Debian's openjdk-17-jre-headless ships the jdk.compiler module the source launcher needs.
//
// Keys and certificates are the test PKI's PEM files (PKCS#8 keys), loaded into in-memory PKCS12
// key stores at start. Options:
//   -tls 1.2|1.3        enable only that version (default: both)
//   -groups a,b         jdk.tls.namedGroups for the whole JVM, in preference order (x25519,
//                       secp256r1, secp384r1, ...). JSSE sends a TLS 1.3 key share for its first
//                       X25519-type and its first NIST-curve group.
//   -alpn a,b           ALPN protocols (client: offered; server: preference order)
//   -ciphers a,b        enabled cipher suites (standard names)
//   -cert FILE -key FILE  certificate chain (PEM, leaf first) and its key; server: repeatable
//
// client RUN [-- RUN ...], each RUN: -connect HOST:PORT -cafile CA [-servername NAME] [-n N]
//   [-get PATH] and the options above. Each run makes N connections one after the other from
//   its own SSLContext (whose session cache resumes the earlier sessions of the run),
//   verifying the server against CA and NAME (HTTPS identification, default localhost) and
//   sending NAME as SNI. Connections are numbered across runs; each prints
//     conn=1 version=TLSv1.3 cipher=TLS_AES_128_GCM_SHA256 alpn=http/1.1 resumed=false chain=1
//   then with -get sends "GET PATH HTTP/1.1" and prints what came back, up to the server's
//   close_notify, between "--- response N ---" and "--- end N ---". Reading it also reads TLS
//   1.3 NewSessionTickets, which resumption needs. A failed connection prints
//   "conn=N error=EXCEPTION: MESSAGE" and the next run goes on; the exit status is 1 when any
//   connection failed.
//
// server [-listen HOST:PORT] [-clientca CA] [-n N] and the options above: prints "listening on
//   127.0.0.1:PORT", then accepts connections (N of them, or until killed), one at a time.
//   Each reads an HTTP/1.1 request head and answers "200 OK" with the line
//     conn=1 version=TLSv1.3 cipher=... alpn=http/1.1 resumed=false client=CN
//   (client=- without a certificate), which it also prints; a failed connection prints
//   "conn=N error=..." and the server goes on. With -clientca a client certificate issued by CA
//   is required.
//
// resumed= is read from the public API, which has no "resumed" flag: a resumed session keeps
// the creation time of the handshake that made it (TLS 1.2 and 1.3 alike; checked against
// openssl s_server's and s_client's "Reused"), so it is older than the connection.

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

public class JssePeer {
  // Options of one run (the server has one).
  static final class Options {
    String connect;
    String listen = "127.0.0.1:0";
    String caFile;
    String clientCa;
    String serverName = "localhost";
    String tls;
    String alpn;
    String ciphers;
    String getPath;
    int conns = -1;
    final List<String> certFiles = new ArrayList<>();
    final List<String> keyFiles = new ArrayList<>();
  }

  static void fail(String msg) {
    System.err.println("JssePeer: " + msg);
    System.exit(2);
  }

  static String[] list(String s) {
    return s.split(",");
  }

  public static void main(String[] args) throws Exception {
    if (args.length < 1) {
      fail("usage: JssePeer client|server [options] [-- options ...]");
    }
    String mode = args[0];
    String groups = null;
    List<Options> runs = new ArrayList<>();
    Options o = new Options();
    runs.add(o);
    for (int i = 1; i < args.length; i++) {
      String flag = args[i];
      if (flag.equals("--")) {
        o = new Options();
        runs.add(o);
        continue;
      }
      if (i + 1 >= args.length) {
        fail("missing value for " + flag);
      }
      String v = args[++i];
      switch (flag) {
        case "-connect" -> o.connect = v;
        case "-listen" -> o.listen = v;
        case "-cafile" -> o.caFile = v;
        case "-clientca" -> o.clientCa = v;
        case "-servername" -> o.serverName = v;
        case "-tls" -> o.tls = v;
        case "-groups" -> groups = v;
        case "-alpn" -> o.alpn = v;
        case "-ciphers" -> o.ciphers = v;
        case "-get" -> o.getPath = v;
        case "-n" -> o.conns = Integer.parseInt(v);
        case "-cert" -> o.certFiles.add(v);
        case "-key" -> o.keyFiles.add(v);
        default -> fail("unknown option " + flag);
      }
    }
    // Read when JSSE first loads its group table, so set before anything touches it.
    if (groups != null) {
      System.setProperty("jdk.tls.namedGroups", groups);
    }
    for (Options run : runs) {
      if (run.certFiles.size() != run.keyFiles.size()) {
        fail("one -key for each -cert");
      }
    }
    switch (mode) {
      case "client" -> {
        boolean ok = true;
        int first = 1;
        for (Options run : runs) {
          int made = client(run, first);
          ok &= made == Math.max(run.conns, 1);
          first += Math.max(run.conns, 1);
        }
        System.exit(ok ? 0 : 1);
      }
      case "server" -> {
        if (runs.size() != 1) {
          fail("the server takes one set of options");
        }
        server(runs.get(0));
      }
      default -> fail("mode must be client or server");
    }
  }

  static byte[] pemBlock(String text, String label) {
    String begin = "-----BEGIN " + label + "-----";
    int a = text.indexOf(begin);
    int b = a < 0 ? -1 : text.indexOf("-----END " + label + "-----", a);
    if (b < 0) {
      fail("no " + label + " in PEM");
    }
    return Base64.getMimeDecoder().decode(text.substring(a + begin.length(), b));
  }

  static PrivateKey readKey(String file) throws Exception {
    PKCS8EncodedKeySpec spec =
        new PKCS8EncodedKeySpec(pemBlock(Files.readString(Path.of(file)), "PRIVATE KEY"));
    for (String alg : new String[] {"RSA", "EC", "Ed25519", "RSASSA-PSS"}) {
      try {
        return KeyFactory.getInstance(alg).generatePrivate(spec);
      } catch (java.security.spec.InvalidKeySpecException e) {
        // not this algorithm
      }
    }
    fail("unsupported key in " + file);
    return null;
  }

  static Certificate[] readCerts(String file) throws Exception {
    CertificateFactory cf = CertificateFactory.getInstance("X.509");
    return cf.generateCertificates(new ByteArrayInputStream(Files.readAllBytes(Path.of(file))))
        .toArray(new Certificate[0]);
  }

  static SSLContext context(Options o, String trustFile) throws Exception {
    char[] password = "changeit".toCharArray();
    KeyStore keys = KeyStore.getInstance("PKCS12");
    keys.load(null, null);
    for (int i = 0; i < o.certFiles.size(); i++) {
      keys.setKeyEntry(
          "key" + i, readKey(o.keyFiles.get(i)), password, readCerts(o.certFiles.get(i)));
    }
    KeyManagerFactory kmf = KeyManagerFactory.getInstance("PKIX");
    kmf.init(keys, password);
    TrustManagerFactory tmf = null;
    if (trustFile != null) {
      KeyStore trust = KeyStore.getInstance("PKCS12");
      trust.load(null, null);
      Certificate[] roots = readCerts(trustFile);
      for (int i = 0; i < roots.length; i++) {
        trust.setCertificateEntry("ca" + i, roots[i]);
      }
      tmf = TrustManagerFactory.getInstance("PKIX");
      tmf.init(trust);
    }
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(kmf.getKeyManagers(), tmf == null ? null : tmf.getTrustManagers(), null);
    return ctx;
  }

  static void configure(Options o, SSLParameters p) {
    if (o.tls != null) {
      p.setProtocols(new String[] {"TLSv" + o.tls});
    }
    if (o.alpn != null) {
      p.setApplicationProtocols(list(o.alpn));
    }
    if (o.ciphers != null) {
      p.setCipherSuites(list(o.ciphers));
    }
  }

  // describe says what the handshake of `s`, which began at `startMillis`, negotiated.
  static String describe(SSLSocket s, long startMillis) {
    SSLSession session = s.getSession();
    // A resumed session keeps the creation time of the handshake that made it (TLS 1.2 and 1.3
    // alike; a TLS 1.3 resumption gets a new id), so it is older than this connection.
    boolean resumed = session.getCreationTime() < startMillis;
    String proto = s.getApplicationProtocol();
    return "version=" + session.getProtocol() + " cipher=" + session.getCipherSuite()
        + " alpn=" + (proto == null ? "" : proto) + " resumed=" + resumed;
  }

  static String errorText(Exception e) {
    String text = e.toString();
    for (Throwable c = e.getCause(); c != null; c = c.getCause()) {
      text += " (caused by " + c + ")";
    }
    return text.replace('\n', ' ');
  }

  // client makes the connections of run `o`, numbered from `first`, and returns how many
  // succeeded (it stops at the first failure).
  static int client(Options o, int first) throws Exception {
    if (o.connect == null || o.caFile == null) {
      fail("client needs -connect and -cafile");
    }
    SSLContext ctx = context(o, o.caFile);
    int colon = o.connect.lastIndexOf(':');
    String host = o.connect.substring(0, colon);
    int port = Integer.parseInt(o.connect.substring(colon + 1));
    int n = Math.max(o.conns, 1);
    for (int i = 0; i < n; i++) {
      int c = first + i;
      // The session cache is keyed by the name and port given to createSocket: the same for
      // every connection of the run, so each may resume the one before.
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress(InetAddress.getByName(host), port), 10000);
        s.setSoTimeout(20000);
        SSLSocket tlsSocket =
            (SSLSocket) ctx.getSocketFactory().createSocket(s, o.serverName, port, true);
        SSLParameters p = tlsSocket.getSSLParameters();
        configure(o, p);
        // JSSE sends SNI on its own only for names with a dot; "localhost" has none.
        p.setServerNames(List.of(new SNIHostName(o.serverName)));
        p.setEndpointIdentificationAlgorithm("HTTPS");
        tlsSocket.setSSLParameters(p);
        long start = System.currentTimeMillis();
        tlsSocket.startHandshake();
        int chain = tlsSocket.getSession().getPeerCertificates().length;
        System.out.println("conn=" + c + " " + describe(tlsSocket, start) + " chain=" + chain);
        if (o.getPath != null) {
          OutputStream out = tlsSocket.getOutputStream();
          out.write(("GET " + o.getPath + " HTTP/1.1\r\nHost: " + o.serverName
                        + "\r\nConnection: close\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
          out.flush();
          byte[] body = tlsSocket.getInputStream().readAllBytes();
          System.out.println("--- response " + c + " ---");
          System.out.print(new String(body, StandardCharsets.UTF_8));
          System.out.println("--- end " + c + " ---");
        }
        tlsSocket.close();
      } catch (Exception e) {
        System.out.println("conn=" + c + " error=" + errorText(e));
        System.out.flush();
        return i;
      }
      System.out.flush();
    }
    return n;
  }

  static void server(Options o) throws Exception {
    if (o.certFiles.isEmpty()) {
      fail("server needs -cert and -key");
    }
    SSLContext ctx = context(o, o.clientCa);
    String listen = o.listen;
    int colon = listen.lastIndexOf(':');
    SSLServerSocket ls = (SSLServerSocket) ctx.getServerSocketFactory().createServerSocket(
        Integer.parseInt(listen.substring(colon + 1)), 16,
        InetAddress.getByName(listen.substring(0, colon)));
    SSLParameters p = ls.getSSLParameters();
    configure(o, p);
    p.setNeedClientAuth(o.clientCa != null);
    ls.setSSLParameters(p);
    System.out.println("listening on " + listen.substring(0, colon) + ":" + ls.getLocalPort());
    System.out.flush();
    for (int c = 1; o.conns < 0 || c <= o.conns; c++) {
      try (SSLSocket s = (SSLSocket) ls.accept()) {
        s.setSoTimeout(20000);
        long start = System.currentTimeMillis();
        s.startHandshake();
        String client = "-";
        if (o.clientCa != null) {
          X509Certificate leaf = (X509Certificate) s.getSession().getPeerCertificates()[0];
          client = commonName(leaf.getSubjectX500Principal().getName());
        }
        String line = "conn=" + c + " " + describe(s, start) + " client=" + client;
        readRequestHead(s.getInputStream());
        OutputStream out = s.getOutputStream();
        byte[] body = (line + "\n").getBytes(StandardCharsets.US_ASCII);
        out.write(("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: " + body.length
                      + "\r\nConnection: close\r\n\r\n")
                      .getBytes(StandardCharsets.US_ASCII));
        out.write(body);
        out.flush();
        System.out.println(line);
      } catch (Exception e) {
        System.out.println("conn=" + c + " error=" + errorText(e));
      }
      System.out.flush();
    }
  }

  static String commonName(String dn) {
    for (String part : dn.split(",")) {
      if (part.startsWith("CN=")) {
        return part.substring(3);
      }
    }
    return dn;
  }

  // readRequestHead reads up to the blank line that ends an HTTP/1.1 request head.
  static void readRequestHead(InputStream in) throws Exception {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int state = 0;
    while (state < 4) {
      int b = in.read();
      if (b < 0) {
        throw new java.io.EOFException("end of stream in the request head");
      }
      head.write(b);
      state = (b == (state % 2 == 0 ? '\r' : '\n')) ? state + 1 : (b == '\r' ? 1 : 0);
    }
  }
}
