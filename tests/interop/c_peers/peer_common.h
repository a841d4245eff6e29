/* peer_common.h: what the C peers (hs_wolfssl_peer.c, hs_mbedtls_peer.c) share: flags, loopback
 * sockets and the output lines tests/interop read. Test-only; the library never links them.
 *
 * Both peers speak like the Go peers (tests/interop/go/), so the tests read them alike:
 *   server: "listening on 127.0.0.1:PORT", then for each connection the line it also serves as
 *           the body of an HTTP/1.1 response to the request it reads ("conn=N " only on stdout),
 *       conn=N proto=HTTP/1.1 version=TLS1.2 cipher=IANA alpn=X resumed=false group=G client=CN
 *           ("-" for an absent value), or "conn=N error=..." when the handshake fails, and
 *           "end=N how=close_notify|eof|error" once the client has closed.
 *   client: for each of -n connections (resuming the previous one's session)
 *       conn=N version=TLS1.3 cipher=IANA alpn=X resumed=true group=G
 *           then with -get PATH the response between "--- response N ---" and "--- end N ---" and
 *           "end=N how=close_notify|eof|error": how the server ended the connection.
 *   Exit status 0 when every client connection worked, 1 otherwise (the reason on stderr). */
#ifndef HS_INTEROP_PEER_COMMON_H
#define HS_INTEROP_PEER_COMMON_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

struct peer_flags {
  const char* mode;       /* "client" or "server" */
  const char* connect;    /* client: 127.0.0.1:PORT */
  const char* servername; /* client: SNI and the name the certificate must match */
  const char* cafile;     /* client: roots for the server; server: roots for client certificates */
  const char* cert;
  const char* key;
  const char* max;    /* "1.2" or "1.3" */
  const char* groups; /* X25519,P-256,P-384 (the first gets the TLS 1.3 key share) */
  const char* alpn;   /* comma separated */
  const char* get;    /* client: send GET PATH and print the response */
  int n;              /* client: connections, each resuming the previous session */
  int no_tickets;     /* server: session IDs only */
};

static void peer_fail(const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fputc('\n', stderr);
  exit(1);
}

static struct peer_flags peer_parse(int argc, char** argv) {
  struct peer_flags f = {0};
  f.servername = "localhost";
  f.max = "1.3";
  f.n = 1;
  if (argc < 2) {
    peer_fail("usage: %s client|server [-flag value]...", argv[0]);
  }
  f.mode = argv[1];
  for (int i = 2; i < argc; ++i) {
    const char* a = argv[i];
    if (strcmp(a, "-no-tickets") == 0) {
      f.no_tickets = 1;
      continue;
    }
    if (i + 1 >= argc) {
      peer_fail("%s needs a value", a);
    }
    const char* v = argv[++i];
    if (strcmp(a, "-connect") == 0)
      f.connect = v;
    else if (strcmp(a, "-servername") == 0)
      f.servername = v;
    else if (strcmp(a, "-cafile") == 0)
      f.cafile = v;
    else if (strcmp(a, "-cert") == 0)
      f.cert = v;
    else if (strcmp(a, "-key") == 0)
      f.key = v;
    else if (strcmp(a, "-max") == 0)
      f.max = v;
    else if (strcmp(a, "-groups") == 0)
      f.groups = v;
    else if (strcmp(a, "-alpn") == 0)
      f.alpn = v;
    else if (strcmp(a, "-get") == 0)
      f.get = v;
    else if (strcmp(a, "-n") == 0)
      f.n = atoi(v);
    else
      peer_fail("unknown flag %s", a);
  }
  return f;
}

/* No process of a test may hang: every socket gives up after 10 s of silence. */
static void peer_timeouts(int fd) {
  struct timeval tv = {10, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

/* peer_listen binds 127.0.0.1 on a free port, prints "listening on 127.0.0.1:PORT". */
static int peer_listen(void) {
  signal(SIGPIPE, SIG_IGN);
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in addr = {0};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (fd < 0 || bind(fd, (struct sockaddr*)&addr, sizeof addr) != 0 || listen(fd, 16) != 0 ||
      getsockname(fd, (struct sockaddr*)&addr, &len) != 0) {
    peer_fail("cannot listen on 127.0.0.1");
  }
  printf("listening on 127.0.0.1:%d\n", ntohs(addr.sin_port));
  fflush(stdout);
  return fd;
}

static int peer_accept(int listener) {
  int fd = accept(listener, NULL, NULL);
  if (fd >= 0) {
    peer_timeouts(fd);
  }
  return fd;
}

/* peer_close ends a server's side of a connection: it stops sending, then reads what the client
 * still sends until the client closes, so that closing with unread bytes never turns into a
 * reset that would destroy an alert still on its way to the client. */
static void peer_close(int fd) {
  char rest[512];
  shutdown(fd, SHUT_WR);
  while (recv(fd, rest, sizeof rest, 0) > 0) {
  }
  close(fd);
}

/* peer_connect dials "127.0.0.1:PORT". */
static int peer_connect(const char* target) {
  signal(SIGPIPE, SIG_IGN);
  const char* colon = target ? strrchr(target, ':') : NULL;
  if (!colon) {
    peer_fail("-connect wants ADDRESS:PORT");
  }
  char host[64];
  snprintf(host, sizeof host, "%.*s", (int)(colon - target), target);
  struct sockaddr_in addr = {0};
  addr.sin_family = AF_INET;
  addr.sin_port = htons((unsigned short)atoi(colon + 1));
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0 || inet_pton(AF_INET, host, &addr.sin_addr) != 1 ||
      connect(fd, (struct sockaddr*)&addr, sizeof addr) != 0) {
    peer_fail("cannot connect to %s", target);
  }
  peer_timeouts(fd);
  return fd;
}

/* peer_request writes the request the client sends for -get PATH. */
static int peer_request(char* buf, size_t size, const char* path, const char* host) {
  return snprintf(buf, size, "GET %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n", path,
                  host);
}

/* peer_response writes the HTTP/1.1 response a server sends: `line` as its body. */
static int peer_response(char* buf, size_t size, const char* line) {
  return snprintf(buf, size,
                  "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: %zu\r\n"
                  "Connection: close\r\n\r\n%s",
                  strlen(line), line);
}

/* peer_has_header_end reports whether buf[0..len) holds a whole request head. */
static int peer_has_header_end(const char* buf, size_t len) {
  for (size_t i = 0; i + 3 < len; ++i) {
    if (buf[i] == '\r' && buf[i + 1] == '\n' && buf[i + 2] == '\r' && buf[i + 3] == '\n') {
      return 1;
    }
  }
  return 0;
}

static const char* peer_or_dash(const char* s) { return s && *s ? s : "-"; }

#endif
