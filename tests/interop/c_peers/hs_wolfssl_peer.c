/* hs_wolfssl_peer: wolfSSL (Debian's libwolfssl 5.5.4, built with TLS 1.3, tickets, ALPN,
 * X25519 and the extended master secret) as a client or server peer for
 * tests/interop/c_peers_test.cc. Output and flags: see peer_common.h.
 *
 *   hs_wolfssl_peer server -cert F -key F [-max 1.2|1.3] [-groups G,..] [-alpn P,..]
 *                          [-cafile ROOTS (require a client certificate)] [-no-tickets]
 *   hs_wolfssl_peer client -connect 127.0.0.1:PORT -cafile ROOTS [-servername NAME]
 *                          [-max 1.2|1.3] [-groups G,..] [-alpn P,..] [-n N] [-get PATH]
 *                          [-cert F -key F] */
#include <wolfssl/options.h>
#include <wolfssl/ssl.h>

#include "peer_common.h"

static void check(int ok, const char* what) {
  if (ok != WOLFSSL_SUCCESS) {
    peer_fail("hs_wolfssl_peer: %s failed (%d)", what, ok);
  }
}

/* error_text is wolfSSL's reason as one word ("received_alert_fatal_error"), like the other
 * key=value fields. */
static const char* error_text(WOLFSSL* ssl, int ret) {
  static char text[WOLFSSL_MAX_ERROR_SZ];
  wolfSSL_ERR_error_string((unsigned long)wolfSSL_get_error(ssl, ret), text);
  for (char* c = text; *c; ++c) {
    if (*c == ' ') *c = '_';
  }
  return text;
}

static void configure(WOLFSSL_CTX* ctx, const struct peer_flags* f) {
  if (f->groups) {
    int ids[8];
    int count = 0;
    char list[128];
    snprintf(list, sizeof list, "%s", f->groups);
    for (char* name = strtok(list, ","); name && count < 8; name = strtok(NULL, ",")) {
      int id = strcmp(name, "X25519") == 0  ? WOLFSSL_ECC_X25519
               : strcmp(name, "P-256") == 0 ? WOLFSSL_ECC_SECP256R1
               : strcmp(name, "P-384") == 0 ? WOLFSSL_ECC_SECP384R1
               : strcmp(name, "P-521") == 0 ? WOLFSSL_ECC_SECP521R1
                                            : 0;
      if (!id) peer_fail("hs_wolfssl_peer: unknown group %s", name);
      ids[count++] = id;
      /* supported_groups, which TLS 1.2 also reads */
      check(wolfSSL_CTX_UseSupportedCurve(ctx, (unsigned short)id), "UseSupportedCurve");
    }
    /* TLS 1.3: the order, and the first one gets the client's key share */
    if (strcmp(f->max, "1.3") == 0) check(wolfSSL_CTX_set_groups(ctx, ids, count), "set_groups");
  }
  if (f->cert) {
    check(wolfSSL_CTX_use_certificate_chain_file(ctx, f->cert), "certificate");
    check(wolfSSL_CTX_use_PrivateKey_file(ctx, f->key, WOLFSSL_FILETYPE_PEM), "key");
  }
}

/* describe writes "version=.. cipher=.. alpn=.. resumed=.. group=..". */
static void describe(WOLFSSL* ssl, char* out, size_t size) {
  int suite = wolfSSL_get_current_cipher_suite(ssl);
  const char* version = wolfSSL_get_version(ssl); /* "TLSv1.3" */
  char* alpn = NULL;
  unsigned short alpn_len = 0;
  if (wolfSSL_ALPN_GetProtocol(ssl, &alpn, &alpn_len) != WOLFSSL_SUCCESS) {
    alpn = NULL;
    alpn_len = 0;
  }
  snprintf(
      out, size, "version=TLS%s cipher=%s alpn=%.*s resumed=%s group=%s",
      strncmp(version, "TLSv", 4) == 0 ? version + 4 : version,
      wolfSSL_get_cipher_name_iana_from_suite((unsigned char)(suite >> 8), (unsigned char)suite),
      alpn_len ? (int)alpn_len : 1, alpn_len ? alpn : "-",
      wolfSSL_session_reused(ssl) ? "true" : "false", peer_or_dash(wolfSSL_get_curve_name(ssl)));
}

/* how_closed reads what follows the last byte and names it: the peer's close_notify, a bare
 * end of stream, or an error. */
static const char* how_closed(WOLFSSL* ssl, int ret) {
  int err = wolfSSL_get_error(ssl, ret);
  if (err == WOLFSSL_ERROR_ZERO_RETURN) return "close_notify";
  if (err == SOCKET_PEER_CLOSED_E || err == WOLFSSL_ERROR_SYSCALL) return "eof";
  return error_text(ssl, ret);
}

_Noreturn static void serve(const struct peer_flags* f) {
  WOLFSSL_CTX* ctx = wolfSSL_CTX_new(strcmp(f->max, "1.2") == 0 ? wolfTLSv1_2_server_method()
                                                                : wolfSSLv23_server_method());
  check(wolfSSL_CTX_SetMinVersion(ctx, WOLFSSL_TLSV1_2), "SetMinVersion");
  configure(ctx, f);
  if (f->cafile) {
    check(wolfSSL_CTX_load_verify_locations(ctx, f->cafile, NULL), "load_verify_locations");
    wolfSSL_CTX_set_verify(ctx, WOLFSSL_VERIFY_PEER | WOLFSSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
  }
  if (f->no_tickets) {
    check(wolfSSL_CTX_NoTicketTLSv12(ctx), "NoTicketTLSv12");
    if (strcmp(f->max, "1.2") != 0) {
      /* unlike the others, 0 is success here */
      check(wolfSSL_CTX_no_ticket_TLSv13(ctx) == 0 ? WOLFSSL_SUCCESS : 0, "no_ticket_TLSv13");
    }
  }
  int listener = peer_listen();
  for (int n = 1;; ++n) {
    int fd = peer_accept(listener);
    if (fd < 0) continue;
    WOLFSSL* ssl = wolfSSL_new(ctx);
    wolfSSL_set_fd(ssl, fd);
    if (f->alpn) {
      check(wolfSSL_UseALPN(ssl, (char*)f->alpn, (unsigned)strlen(f->alpn),
                            WOLFSSL_ALPN_FAILED_ON_MISMATCH),
            "UseALPN");
    }
    int ret = wolfSSL_accept(ssl);
    if (ret != WOLFSSL_SUCCESS) {
      printf("conn=%d error=%s\n", n, error_text(ssl, ret));
    } else {
      char request[4096];
      size_t got = 0;
      while (got < sizeof request && !peer_has_header_end(request, got)) {
        int r = wolfSSL_read(ssl, request + got, (int)(sizeof request - got));
        if (r <= 0) break;
        got += (size_t)r;
      }
      char client[128] = "-";
      WOLFSSL_X509* peer = wolfSSL_get_peer_certificate(ssl);
      if (peer) {
        wolfSSL_X509_NAME_get_text_by_NID(wolfSSL_X509_get_subject_name(peer), NID_commonName,
                                          client, sizeof client);
        wolfSSL_X509_free(peer);
      }
      char about[384], line[640], response[1024];
      describe(ssl, about, sizeof about);
      snprintf(line, sizeof line, "proto=HTTP/1.1 %s client=%s\n", about, client);
      printf("conn=%d %s", n, line);
      int len = peer_response(response, sizeof response, line);
      wolfSSL_write(ssl, response, len);
      /* The first call sends our close_notify, the second waits for the client's. */
      wolfSSL_shutdown(ssl);
      ret = wolfSSL_shutdown(ssl);
      printf("end=%d how=%s\n", n, ret == WOLFSSL_SUCCESS ? "close_notify" : how_closed(ssl, ret));
    }
    fflush(stdout);
    wolfSSL_free(ssl);
    peer_close(fd);
  }
}

static int connect_all(const struct peer_flags* f) {
  WOLFSSL_CTX* ctx = wolfSSL_CTX_new(strcmp(f->max, "1.2") == 0 ? wolfTLSv1_2_client_method()
                                                                : wolfSSLv23_client_method());
  check(wolfSSL_CTX_SetMinVersion(ctx, WOLFSSL_TLSV1_2), "SetMinVersion");
  configure(ctx, f);
  check(wolfSSL_CTX_load_verify_locations(ctx, f->cafile, NULL), "load_verify_locations");
  wolfSSL_CTX_set_verify(ctx, WOLFSSL_VERIFY_PEER, NULL);
  WOLFSSL_SESSION* session = NULL;
  for (int n = 1; n <= f->n; ++n) {
    int fd = peer_connect(f->connect);
    WOLFSSL* ssl = wolfSSL_new(ctx);
    wolfSSL_set_fd(ssl, fd);
    check(wolfSSL_UseSNI(ssl, WOLFSSL_SNI_HOST_NAME, f->servername,
                         (unsigned short)strlen(f->servername)),
          "UseSNI");
    check(wolfSSL_check_domain_name(ssl, f->servername), "check_domain_name");
    if (f->alpn) {
      check(wolfSSL_UseALPN(ssl, (char*)f->alpn, (unsigned)strlen(f->alpn),
                            WOLFSSL_ALPN_FAILED_ON_MISMATCH),
            "UseALPN");
    }
    if (session) {
      check(wolfSSL_set_session(ssl, session), "set_session");
    }
    int ret = wolfSSL_connect(ssl);
    if (ret != WOLFSSL_SUCCESS) {
      peer_fail("hs_wolfssl_peer: connection %d: %s", n, error_text(ssl, ret));
    }
    char about[384];
    describe(ssl, about, sizeof about);
    printf("conn=%d %s\n", n, about);
    if (f->get) {
      char request[512];
      int len = peer_request(request, sizeof request, f->get, f->servername);
      if (wolfSSL_write(ssl, request, len) != len) {
        peer_fail("hs_wolfssl_peer: connection %d: write failed", n);
      }
      printf("--- response %d ---\n", n);
      char buf[4096];
      while ((ret = wolfSSL_read(ssl, buf, sizeof buf)) > 0) {
        fwrite(buf, 1, (size_t)ret, stdout);
      }
      printf("--- end %d ---\nend=%d how=%s\n", n, n, how_closed(ssl, ret));
    }
    /* Taken after the response: a TLS 1.3 server's NewSessionTicket arrives after the handshake. */
    if (session) wolfSSL_SESSION_free(session);
    session = wolfSSL_get1_session(ssl);
    wolfSSL_shutdown(ssl);
    wolfSSL_free(ssl);
    close(fd);
    fflush(stdout);
  }
  return 0;
}

int main(int argc, char** argv) {
  struct peer_flags f = peer_parse(argc, argv);
  wolfSSL_Init();
  if (strcmp(f.mode, "server") == 0) serve(&f);
  if (strcmp(f.mode, "client") == 0 && f.connect && f.cafile) return connect_all(&f);
  peer_fail("usage: hs_wolfssl_peer client -connect ADDR:PORT -cafile F | server -cert F -key F");
  return 2;
}
