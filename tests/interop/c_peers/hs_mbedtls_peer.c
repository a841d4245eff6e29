/* hs_mbedtls_peer: Mbed TLS (Debian's libmbedtls 2.28, TLS 1.2 only: 2.28 has no TLS 1.3) as a
 * client or server peer for tests/interop/c_peers_test.cc. Output and flags: see peer_common.h;
 * group= is always "-" (2.28 does not say which curve it used).
 *
 *   hs_mbedtls_peer server -cert F -key F [-groups G,..] [-alpn P,..]
 *                          [-cafile ROOTS (require a client certificate)] [-no-tickets]
 *   hs_mbedtls_peer client -connect 127.0.0.1:PORT -cafile ROOTS [-servername NAME]
 *                          [-groups G,..] [-alpn P,..] [-n N] [-get PATH] [-cert F -key F] */
#include <errno.h>
#include <mbedtls/ctr_drbg.h>
#include <mbedtls/entropy.h>
#include <mbedtls/error.h>
#include <mbedtls/net_sockets.h>
#include <mbedtls/oid.h>
#include <mbedtls/ssl.h>
#include <mbedtls/ssl_cache.h>
#include <mbedtls/ssl_internal.h> /* handshake->resume: 2.28 has no accessor for it */
#include <mbedtls/ssl_ticket.h>

#include "peer_common.h"

static mbedtls_entropy_context entropy;
static mbedtls_ctr_drbg_context drbg;

static const char* error_text(int ret) {
  static char text[160];
  mbedtls_strerror(ret, text, sizeof text);
  for (char* c = text; *c; ++c) {
    if (*c == ' ') *c = '_'; /* one word, like the other key=value fields */
  }
  return text;
}

static void check(int ret, const char* what) {
  if (ret != 0) peer_fail("hs_mbedtls_peer: %s: %s", what, error_text(ret));
}

/* Blocking I/O over the socket; a timeout (SO_RCVTIMEO) is an error, not WANT_READ, so nothing
 * spins. */
static int send_cb(void* fd, const unsigned char* buf, size_t len) {
  ssize_t n = send(*(int*)fd, buf, len, MSG_NOSIGNAL);
  return n >= 0 ? (int)n : MBEDTLS_ERR_NET_SEND_FAILED;
}
static int recv_cb(void* fd, unsigned char* buf, size_t len) {
  ssize_t n = recv(*(int*)fd, buf, len, 0);
  if (n < 0) return errno == ECONNRESET ? MBEDTLS_ERR_NET_CONN_RESET : MBEDTLS_ERR_NET_RECV_FAILED;
  return (int)n;
}

static mbedtls_ecp_group_id curves[8];
static const char* alpn_list[8];
static char alpn_buf[128];
static mbedtls_x509_crt own_cert, roots;
static mbedtls_pk_context own_key;

static void configure(mbedtls_ssl_config* conf, const struct peer_flags* f, int endpoint) {
  check(mbedtls_ssl_config_defaults(conf, endpoint, MBEDTLS_SSL_TRANSPORT_STREAM,
                                    MBEDTLS_SSL_PRESET_DEFAULT),
        "config_defaults");
  mbedtls_ssl_conf_rng(conf, mbedtls_ctr_drbg_random, &drbg);
  mbedtls_ssl_conf_min_version(conf, MBEDTLS_SSL_MAJOR_VERSION_3, MBEDTLS_SSL_MINOR_VERSION_3);
  if (f->groups) {
    char list[128];
    int count = 0;
    snprintf(list, sizeof list, "%s", f->groups);
    for (char* name = strtok(list, ","); name && count < 7; name = strtok(NULL, ",")) {
      curves[count++] = strcmp(name, "X25519") == 0  ? MBEDTLS_ECP_DP_CURVE25519
                        : strcmp(name, "P-256") == 0 ? MBEDTLS_ECP_DP_SECP256R1
                        : strcmp(name, "P-384") == 0 ? MBEDTLS_ECP_DP_SECP384R1
                        : strcmp(name, "P-521") == 0 ? MBEDTLS_ECP_DP_SECP521R1
                                                     : MBEDTLS_ECP_DP_NONE;
      if (curves[count - 1] == MBEDTLS_ECP_DP_NONE) peer_fail("unknown group %s", name);
    }
    curves[count] = MBEDTLS_ECP_DP_NONE;
    mbedtls_ssl_conf_curves(conf, curves);
  }
  if (f->alpn) {
    int count = 0;
    snprintf(alpn_buf, sizeof alpn_buf, "%s", f->alpn);
    for (char* p = strtok(alpn_buf, ","); p && count < 7; p = strtok(NULL, ",")) {
      alpn_list[count++] = p;
    }
    alpn_list[count] = NULL;
    check(mbedtls_ssl_conf_alpn_protocols(conf, alpn_list), "conf_alpn_protocols");
  }
  if (f->cert) {
    mbedtls_x509_crt_init(&own_cert);
    mbedtls_pk_init(&own_key);
    check(mbedtls_x509_crt_parse_file(&own_cert, f->cert), "certificate");
    check(mbedtls_pk_parse_keyfile(&own_key, f->key, NULL), "key");
    check(mbedtls_ssl_conf_own_cert(conf, &own_cert, &own_key), "conf_own_cert");
  }
  mbedtls_ssl_conf_authmode(conf, MBEDTLS_SSL_VERIFY_NONE);
  if (f->cafile) {
    mbedtls_x509_crt_init(&roots);
    check(mbedtls_x509_crt_parse_file(&roots, f->cafile), "cafile");
    mbedtls_ssl_conf_ca_chain(conf, &roots, NULL);
    mbedtls_ssl_conf_authmode(conf, MBEDTLS_SSL_VERIFY_REQUIRED);
  }
}

/* handshake steps through the handshake to catch handshake->resume before it is freed. */
static int handshake(mbedtls_ssl_context* ssl, int* resumed) {
  *resumed = 0;
  while (ssl->state != MBEDTLS_SSL_HANDSHAKE_OVER) {
    int ret = mbedtls_ssl_handshake_step(ssl);
    if (ssl->handshake && ssl->handshake->resume) *resumed = 1;
    if (ret != 0) return ret;
  }
  return 0;
}

/* describe writes "version=.. cipher=.. alpn=.. resumed=.. group=-". */
static void describe(mbedtls_ssl_context* ssl, int resumed, char* out, size_t size) {
  char cipher[96];
  /* mbedtls spells suites "TLS-ECDHE-RSA-WITH-AES-128-GCM-SHA256": the IANA name with dashes. */
  snprintf(cipher, sizeof cipher, "%s", mbedtls_ssl_get_ciphersuite(ssl));
  for (char* c = cipher; *c; ++c) {
    if (*c == '-') *c = '_';
  }
  const char* version = mbedtls_ssl_get_version(ssl); /* "TLSv1.2" */
  snprintf(out, size, "version=TLS%s cipher=%s alpn=%s resumed=%s group=-",
           strncmp(version, "TLSv", 4) == 0 ? version + 4 : version, cipher,
           peer_or_dash(mbedtls_ssl_get_alpn_protocol(ssl)), resumed ? "true" : "false");
}

/* how_closed names what ended the stream after the last byte. */
static const char* how_closed(int ret) {
  if (ret == MBEDTLS_ERR_SSL_PEER_CLOSE_NOTIFY) return "close_notify";
  if (ret == 0 || ret == MBEDTLS_ERR_NET_CONN_RESET) return "eof";
  return error_text(ret);
}

_Noreturn static void serve(const struct peer_flags* f) {
  mbedtls_ssl_config conf;
  mbedtls_ssl_config_init(&conf);
  configure(&conf, f, MBEDTLS_SSL_IS_SERVER);
  mbedtls_ssl_cache_context cache;
  mbedtls_ssl_cache_init(&cache);
  mbedtls_ssl_conf_session_cache(&conf, &cache, mbedtls_ssl_cache_get, mbedtls_ssl_cache_set);
  mbedtls_ssl_ticket_context tickets;
  mbedtls_ssl_ticket_init(&tickets);
  if (!f->no_tickets) {
    check(mbedtls_ssl_ticket_setup(&tickets, mbedtls_ctr_drbg_random, &drbg,
                                   MBEDTLS_CIPHER_AES_256_GCM, 86400),
          "ticket_setup");
    mbedtls_ssl_conf_session_tickets_cb(&conf, mbedtls_ssl_ticket_write, mbedtls_ssl_ticket_parse,
                                        &tickets);
  }
  int listener = peer_listen();
  for (int n = 1;; ++n) {
    int fd = peer_accept(listener);
    if (fd < 0) continue;
    mbedtls_ssl_context ssl;
    mbedtls_ssl_init(&ssl);
    check(mbedtls_ssl_setup(&ssl, &conf), "ssl_setup");
    mbedtls_ssl_set_bio(&ssl, &fd, send_cb, recv_cb, NULL);
    int resumed = 0;
    int ret = handshake(&ssl, &resumed);
    if (ret != 0) {
      printf("conn=%d error=%s\n", n, error_text(ret));
    } else {
      unsigned char request[4096];
      size_t got = 0;
      while (got < sizeof request && !peer_has_header_end((const char*)request, got)) {
        ret = mbedtls_ssl_read(&ssl, request + got, sizeof request - got);
        if (ret <= 0) break;
        got += (size_t)ret;
      }
      char client[160] = "-";
      const mbedtls_x509_crt* peer = mbedtls_ssl_get_peer_cert(&ssl);
      for (const mbedtls_x509_name* name = peer ? &peer->subject : NULL; name; name = name->next) {
        if (MBEDTLS_OID_CMP(MBEDTLS_OID_AT_CN, &name->oid) == 0) {
          snprintf(client, sizeof client, "%.*s", (int)name->val.len, (const char*)name->val.p);
        }
      }
      char about[256], line[512], response[1024];
      describe(&ssl, resumed, about, sizeof about);
      snprintf(line, sizeof line, "proto=HTTP/1.1 %s client=%s\n", about, client);
      printf("conn=%d %s", n, line);
      int len = peer_response(response, sizeof response, line);
      mbedtls_ssl_write(&ssl, (const unsigned char*)response, (size_t)len);
      mbedtls_ssl_close_notify(&ssl);
      unsigned char rest[256];
      do {
        ret = mbedtls_ssl_read(&ssl, rest, sizeof rest);
      } while (ret > 0);
      printf("end=%d how=%s\n", n, how_closed(ret));
    }
    fflush(stdout);
    mbedtls_ssl_free(&ssl);
    peer_close(fd);
  }
}

static int connect_all(const struct peer_flags* f) {
  mbedtls_ssl_config conf;
  mbedtls_ssl_config_init(&conf);
  configure(&conf, f, MBEDTLS_SSL_IS_CLIENT);
  mbedtls_ssl_session session;
  mbedtls_ssl_session_init(&session);
  int have_session = 0;
  for (int n = 1; n <= f->n; ++n) {
    int fd = peer_connect(f->connect);
    mbedtls_ssl_context ssl;
    mbedtls_ssl_init(&ssl);
    check(mbedtls_ssl_setup(&ssl, &conf), "ssl_setup");
    check(mbedtls_ssl_set_hostname(&ssl, f->servername), "set_hostname");
    mbedtls_ssl_set_bio(&ssl, &fd, send_cb, recv_cb, NULL);
    if (have_session) check(mbedtls_ssl_set_session(&ssl, &session), "set_session");
    int resumed = 0;
    int ret = handshake(&ssl, &resumed);
    if (ret != 0) peer_fail("hs_mbedtls_peer: connection %d: %s", n, error_text(ret));
    char about[256];
    describe(&ssl, resumed, about, sizeof about);
    printf("conn=%d %s\n", n, about);
    mbedtls_ssl_session_free(&session);
    mbedtls_ssl_session_init(&session);
    check(mbedtls_ssl_get_session(&ssl, &session), "get_session");
    have_session = 1;
    if (f->get) {
      char request[512];
      int len = peer_request(request, sizeof request, f->get, f->servername);
      if (mbedtls_ssl_write(&ssl, (const unsigned char*)request, (size_t)len) != len) {
        peer_fail("hs_mbedtls_peer: connection %d: write failed", n);
      }
      printf("--- response %d ---\n", n);
      unsigned char buf[4096];
      while ((ret = mbedtls_ssl_read(&ssl, buf, sizeof buf)) > 0) {
        fwrite(buf, 1, (size_t)ret, stdout);
      }
      printf("--- end %d ---\nend=%d how=%s\n", n, n, how_closed(ret));
    }
    mbedtls_ssl_close_notify(&ssl);
    mbedtls_ssl_free(&ssl);
    close(fd);
    fflush(stdout);
  }
  return 0;
}

int main(int argc, char** argv) {
  struct peer_flags f = peer_parse(argc, argv);
  if (strcmp(f.max, "1.3") == 0 || strcmp(f.max, "1.2") == 0) {
    f.max = "1.2"; /* the most 2.28 speaks */
  }
  mbedtls_entropy_init(&entropy);
  mbedtls_ctr_drbg_init(&drbg);
  check(mbedtls_ctr_drbg_seed(&drbg, mbedtls_entropy_func, &entropy, NULL, 0), "drbg_seed");
  if (strcmp(f.mode, "server") == 0) serve(&f);
  if (strcmp(f.mode, "client") == 0 && f.connect && f.cafile) return connect_all(&f);
  peer_fail("usage: hs_mbedtls_peer client -connect ADDR:PORT -cafile F | server -cert F -key F");
  return 2;
}
