// hs_bench: the same TLS scenarios through our library (hs::Connection, sans-IO) and through
// OpenSSL's libssl, client and server in one process and thread talking through memory buffers,
// each side timed on its own, next to the crypto limit (the same EVP operations called directly in
// the same run), and through GnuTLS 3.7 as a second baseline (bench/gnutls_side.cc). libssl and
// GnuTLS are bench-only dependencies: only this program links them.
//
//   hs_bench                  every scenario, timed (medians of --reps runs, with the spread)
//   hs_bench --smoke          every scenario once with tiny sizes; exits 1 if anything failed
//   hs_bench --callgrind      fixed iteration counts with callgrind collection toggled around
//                             one side's calls; run under valgrind by scripts/bench.sh
//   hs_bench --filter TEXT    only scenarios whose name contains TEXT
//   hs_bench --ours-read      our bulk receiver copies out with read() instead of receive_into()
//   hs_bench --clock-check    each handshake run again with no clock reads, to check that
//                             taking the clock's calibrated cost off each timed call holds
//
// Timing: each side's calls are timed on the thread CPU clock. On Linux a read of it is a system
// call (about 0.66 us on the 2-core VM), so its cost is measured before each scenario (median of
// back-to-back reads, printed) and subtracted from every timed call (see g_clock_ns).
//
// Memory is counted by a heap counter: every operator new and, through CRYPTO_set_mem_functions,
// every libcrypto/libssl allocation carries a small header naming the side (client, server, none)
// that was running when it was made, so each side's live and peak heap bytes are exact. GnuTLS
// cannot be given allocation functions; gnutls_side.cc counts its heap by interposing malloc.
#include <hs/config.h>
#include <hs/connection.h>
#include <hs/session.h>
#include <hs/x509.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <initializer_list>
#include <memory>
#include <new>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "endpoint.h"
#include "gnutls_side.h"

#if __has_include(<valgrind/callgrind.h>)
#include <valgrind/callgrind.h>
#define HS_HAVE_CALLGRIND 1
#else
#define HS_HAVE_CALLGRIND 0
#endif

// ---------------------------------------------------------------------------------------------
// Heap accounting. Every block gets a 16-byte header: its size and the side it is charged to.
// (Pointer arithmetic on raw blocks is the point of an allocator; nothing else here does it.)
namespace heap {

enum Side : uint32_t { kNone = 0, kClient = 1, kServer = 2 };
struct Header {
  uint64_t size;
  uint32_t side;
  uint32_t offset;  // from the malloc'd base to the user pointer (aligned new uses more than 16)
};
static_assert(sizeof(Header) == 16);

uint32_t g_side = kNone;
int64_t g_live[3] = {0, 0, 0};
int64_t g_peak[3] = {0, 0, 0};

inline void charge(uint32_t side, int64_t delta) {
  g_live[side] += delta;
  if (g_live[side] > g_peak[side]) {
    g_peak[side] = g_live[side];
  }
}

void* alloc(size_t n, size_t align = 16) {
  size_t offset = align < sizeof(Header) ? sizeof(Header) : align;
  // aligned_alloc wants a size that is a multiple of the alignment.
  void* base = align <= 16 ? std::malloc(n + offset)
                           : std::aligned_alloc(align, (n + offset + align - 1) / align * align);
  if (base == nullptr) {
    return nullptr;
  }
  char* user = static_cast<char*>(base) + offset;
  auto* h = reinterpret_cast<Header*>(user - sizeof(Header));
  h->size = n;
  h->side = g_side;
  h->offset = static_cast<uint32_t>(offset);
  charge(g_side, static_cast<int64_t>(n));
  return user;
}

Header* header_of(void* p) {
  return reinterpret_cast<Header*>(static_cast<char*>(p) - sizeof(Header));
}

void release(void* p) {
  if (p == nullptr) {
    return;
  }
  Header* h = header_of(p);
  charge(h->side, -static_cast<int64_t>(h->size));
  std::free(static_cast<char*>(p) - h->offset);
}

void* resize(void* p, size_t n) {
  if (p == nullptr) {
    return alloc(n);
  }
  if (n == 0) {
    release(p);
    return nullptr;
  }
  void* q = alloc(n);
  if (q == nullptr) {
    return nullptr;
  }
  size_t old = header_of(p)->size;
  std::copy_n(static_cast<const char*>(p), std::min(old, n), static_cast<char*>(q));
  release(p);
  return q;
}

void* ossl_malloc(size_t n, const char*, int) { return alloc(n); }
void* ossl_realloc(void* p, size_t n, const char*, int) { return resize(p, n); }
void ossl_free(void* p, const char*, int) { release(p); }

// Scope charges allocations made while it lives to `side`.
struct Scope {
  explicit Scope(uint32_t side) : saved(g_side) { g_side = side; }
  ~Scope() { g_side = saved; }
  uint32_t saved;
};

void reset_peaks() {
  for (int i = 0; i < 3; ++i) {
    g_peak[i] = g_live[i];
  }
}

}  // namespace heap

void* operator new(std::size_t n) {
  void* p = heap::alloc(n);
  if (p == nullptr) {
    throw std::bad_alloc();
  }
  return p;
}
void* operator new[](std::size_t n) { return operator new(n); }
void* operator new(std::size_t n, const std::nothrow_t&) noexcept { return heap::alloc(n); }
void* operator new[](std::size_t n, const std::nothrow_t&) noexcept { return heap::alloc(n); }
void* operator new(std::size_t n, std::align_val_t a) {
  void* p = heap::alloc(n, static_cast<size_t>(a));
  if (p == nullptr) {
    throw std::bad_alloc();
  }
  return p;
}
void* operator new[](std::size_t n, std::align_val_t a) { return operator new(n, a); }
void operator delete(void* p) noexcept { heap::release(p); }
void operator delete[](void* p) noexcept { heap::release(p); }
void operator delete(void* p, std::size_t) noexcept { heap::release(p); }
void operator delete[](void* p, std::size_t) noexcept { heap::release(p); }
void operator delete(void* p, std::align_val_t) noexcept { heap::release(p); }
void operator delete[](void* p, std::align_val_t) noexcept { heap::release(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { heap::release(p); }
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept { heap::release(p); }

namespace {

using bench::Bytes;
using bench::Endpoint;

// ---------------------------------------------------------------------------------------------
// Options and the side timer.

enum class Mode { timed, smoke, callgrind };
struct Options {
  Mode mode = Mode::timed;
  int reps = 5;
  double seconds = 0.4;  // per rep, per library, per scenario
  std::string filter;
  bool memory = true;
  std::vector<int> memory_sizes = {100, 1000, 5000};
  // ours_read: our bulk receiver uses receive() + read() instead of receive_into() (the
  // figure before receive_into existed, and what an application using read() gets).
  bool ours_read = false;
  // clock_check: each handshake run is repeated without clock reads to check the calibration.
  bool clock_check = false;
};
Options g_opt;
int g_failures = 0;

void fail(const std::string& what) {
  std::fprintf(stderr, "FAIL: %s\n", what.c_str());
  ++g_failures;
}

// Timer accumulates the time spent in one side's calls. In callgrind mode it toggles instruction
// collection around the side being measured (g_collect) instead.
uint32_t g_collect = heap::kNone;

// cpu_ns: this thread's CPU time. The machine is shared, so wall time would charge a side with
// the time other processes ran; CPU time does not. Linux serves CLOCK_THREAD_CPUTIME_ID by a
// system call, not the vDSO (about 0.66 us on the 2-core VM, against 15-50 us for a side of a
// resumed TLS 1.2 handshake over 4-5 timed calls), so the reads' own cost is measured and
// subtracted (g_clock_ns).
int64_t cpu_ns() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

// g_clock_ns: what a timed interval measures when it times nothing. An interval runs from the
// moment one read takes its value to the moment the next one does, so besides the timed call it
// holds one whole read (the first read's return and the second one's entry): the same as two
// reads back to back. calibrate_clock() sets it to the median of many such pairs; Timer and
// time_per_op subtract it once per interval. Without this every side of every library was
// charged the same 0.66 us per call, which pulled every ratio towards 1 (resumed TLS 1.2: 1.9x
// timed against 2.0x in instructions). What stays: the system call also evicts some of the
// library's cache lines and branch history, which slows the call after it; --clock-check shows
// how much (both sides' timed sums 3-11% above the same handshakes run untimed, similar for all
// three libraries, at load 12).
int64_t g_clock_ns = 0;
int64_t g_clock_lo = 0;  // the lowest and highest calibration of the run
int64_t g_clock_hi = 0;

// calibrate_clock measures g_clock_ns again; called before each scenario, as the machine's load
// (and with it a system call's cost) changes during a run.
void calibrate_clock() {
  std::vector<int64_t> d(10001);
  for (int64_t& x : d) {
    int64_t a = cpu_ns();
    x = cpu_ns() - a;
  }
  std::nth_element(d.begin(), d.begin() + d.size() / 2, d.end());
  g_clock_ns = d[d.size() / 2];
  g_clock_lo = g_clock_lo == 0 ? g_clock_ns : std::min(g_clock_lo, g_clock_ns);
  g_clock_hi = std::max(g_clock_hi, g_clock_ns);
}

// NoCollect keeps warm-up work (first handshakes, setup) out of callgrind's counts.
struct NoCollect {
  NoCollect() : saved(g_collect) { g_collect = heap::kNone; }
  ~NoCollect() { g_collect = saved; }
  uint32_t saved;
};

struct Timer {
  int64_t ns[3] = {0, 0, 0};
  // clocked = false: only the heap scope and callgrind's toggle (a caller that times a whole
  // loop itself, as the crypto limits do).
  bool clocked = true;
  template <typename F>
  auto run(uint32_t side, F&& f) {
    heap::Scope scope(side);
#if HS_HAVE_CALLGRIND
    const bool toggle = g_opt.mode == Mode::callgrind && g_collect == side;
    if (toggle) {
      CALLGRIND_TOGGLE_COLLECT;
    }
#endif
    int64_t t0 = clocked ? cpu_ns() : 0;
    auto result = f();
    if (clocked) {
      ns[side] += cpu_ns() - t0 - g_clock_ns;
    }
#if HS_HAVE_CALLGRIND
    if (toggle) {
      CALLGRIND_TOGGLE_COLLECT;
    }
#endif
    return result;
  }
};

// ---------------------------------------------------------------------------------------------
// A throwaway PKI made with libcrypto: an RSA-2048 root and two leaves (RSA-2048, ECDSA P-256)
// for "localhost", valid now.

struct Leaf {
  EVP_PKEY* key = nullptr;
  X509* cert = nullptr;
  std::string cert_pem;
  std::string key_pem;
};
struct Pki {
  EVP_PKEY* ca_key = nullptr;
  X509* ca = nullptr;
  std::string ca_file;
  Leaf rsa;
  Leaf ecdsa;
};

std::string bio_string(BIO* bio) {
  char* data = nullptr;
  long n = BIO_get_mem_data(bio, &data);
  std::string s(data, static_cast<size_t>(n));
  BIO_free(bio);
  return s;
}

void add_ext(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
  if (ext == nullptr || X509_add_ext(cert, ext, -1) != 1) {
    std::fprintf(stderr, "bench: cannot add extension %d\n", nid);
    std::exit(2);
  }
  X509_EXTENSION_free(ext);
}

X509* make_cert(EVP_PKEY* key, const char* cn, X509* issuer, EVP_PKEY* issuer_key, long serial) {
  X509* cert = X509_new();
  X509_set_version(cert, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert), serial);
  X509_gmtime_adj(X509_getm_notBefore(cert), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert), 30L * 86400);
  X509_set_pubkey(cert, key);
  X509_NAME* name = X509_get_subject_name(cert);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(cn),
                             -1, -1, 0);
  X509* signer = issuer != nullptr ? issuer : cert;
  X509_set_issuer_name(cert, X509_get_subject_name(signer));
  add_ext(cert, signer, NID_subject_key_identifier, "hash");
  if (issuer == nullptr) {
    add_ext(cert, signer, NID_basic_constraints, "critical,CA:TRUE");
    add_ext(cert, signer, NID_key_usage, "critical,keyCertSign,cRLSign");
  } else {
    add_ext(cert, signer, NID_authority_key_identifier, "keyid:always");
    add_ext(cert, signer, NID_basic_constraints, "critical,CA:FALSE");
    add_ext(cert, signer, NID_key_usage, "critical,digitalSignature");
    add_ext(cert, signer, NID_ext_key_usage, "serverAuth");
    add_ext(cert, signer, NID_subject_alt_name, "DNS:localhost");
  }
  if (X509_sign(cert, issuer_key != nullptr ? issuer_key : key, EVP_sha256()) == 0) {
    std::fprintf(stderr, "bench: X509_sign failed\n");
    std::exit(2);
  }
  return cert;
}

Leaf make_leaf(EVP_PKEY* key, X509* ca, EVP_PKEY* ca_key, long serial) {
  Leaf leaf;
  leaf.key = key;
  leaf.cert = make_cert(key, "localhost", ca, ca_key, serial);
  BIO* c = BIO_new(BIO_s_mem());
  PEM_write_bio_X509(c, leaf.cert);
  leaf.cert_pem = bio_string(c);
  BIO* k = BIO_new(BIO_s_mem());
  PEM_write_bio_PrivateKey(k, key, nullptr, nullptr, 0, nullptr, nullptr);  // PKCS#8
  leaf.key_pem = bio_string(k);
  return leaf;
}

Pki make_pki() {
  Pki pki;
  pki.ca_key = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", size_t{2048});
  pki.ca = make_cert(pki.ca_key, "hs bench root", nullptr, nullptr, 1);
  pki.rsa =
      make_leaf(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", size_t{2048}), pki.ca, pki.ca_key, 2);
  pki.ecdsa = make_leaf(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"), pki.ca, pki.ca_key, 3);
  BIO* c = BIO_new(BIO_s_mem());
  PEM_write_bio_X509(c, pki.ca);
  std::string ca_pem = bio_string(c);
  auto path = std::filesystem::temp_directory_path() /
              ("hs_bench_ca_" + std::to_string(static_cast<long>(getpid())) + ".pem");
  std::ofstream(path) << ca_pem;
  pki.ca_file = path.string();
  return pki;
}

// ---------------------------------------------------------------------------------------------
// Scenarios.

enum class Ver { tls12, tls13 };
enum class KeyType { rsa, ecdsa };
enum class Resume { none, session_id, ticket };

struct Scenario {
  std::string name;
  Ver ver;
  KeyType key;
  // One suite per scenario; its OpenSSL names.
  hs::CipherSuite suite;
  const char* ossl12 = nullptr;  // SSL_CTX_set_cipher_list
  const char* ossl13 = nullptr;  // SSL_CTX_set_ciphersuites
  Resume resume = Resume::none;
};

// Library makes endpoints for one scenario.
class Library {
 public:
  virtual ~Library() = default;
  virtual const char* name() const = 0;
  virtual std::unique_ptr<Endpoint> client() = 0;
  virtual std::unique_ptr<Endpoint> server() = 0;
};

// --- ours ---

class OursEndpoint final : public Endpoint {
 public:
  explicit OursEndpoint(std::unique_ptr<hs::Connection> c) : c_(std::move(c)) {}
  bool drive(std::span<const uint8_t> in, Bytes& out) override {
    if (!in.empty() && !c_->receive(in).ok()) {
      return false;
    }
    flush(out);
    return !c_->failed();
  }
  bool connected() const override { return c_->is_connected(); }
  bool resumed() const override { return c_->info().resumed; }
  bool write(std::span<const uint8_t> data, Bytes& out) override {
    if (!c_->write(data).ok()) {
      return false;
    }
    flush(out);
    return true;
  }
  std::optional<std::span<const uint8_t>> write_view(std::span<const uint8_t> data) override {
    if (!c_->write(data).ok()) {
      return std::nullopt;
    }
    return c_->output();
  }
  void release_output() override { c_->consume_output(c_->output().size()); }
  bool read_to(std::span<const uint8_t> in, std::span<uint8_t> dest, size_t& got) override {
    if (!g_opt.ours_read) {
      // Records are decrypted straight into `dest` (Connection::receive_into).
      auto n = c_->receive_into(in, dest.subspan(got));
      if (!n.ok()) {
        return false;
      }
      got += *n;
      return c_->readable() == 0 && !c_->failed();
    }
    if (!c_->receive(in).ok()) {
      return false;
    }
    while (c_->readable() > 0) {
      if (got == dest.size()) {
        return false;
      }
      got += c_->read(dest.subspan(got));
    }
    return !c_->failed();
  }
  bool read_into(std::span<const uint8_t> in, Bytes& plain) override {
    if (!c_->receive(in).ok()) {
      return false;
    }
    while (size_t n = c_->readable()) {
      size_t at = plain.size();
      plain.resize(at + n);
      c_->read(std::span<uint8_t>(plain).subspan(at));
    }
    return !c_->failed();
  }

 private:
  void flush(Bytes& out) {
    auto o = c_->output();
    out.insert(out.end(), o.begin(), o.end());
    c_->consume_output(o.size());
  }
  std::unique_ptr<hs::Connection> c_;
};

class Ours final : public Library {
 public:
  Ours(const Scenario& s, const Pki& pki) {
    const Leaf& leaf = s.key == KeyType::rsa ? pki.rsa : pki.ecdsa;
    auto cert = hs::load_server_certificate(leaf.cert_pem, leaf.key_pem);
    if (!cert.ok()) {
      std::fprintf(stderr, "bench: load_server_certificate: %s\n", cert.error().message().c_str());
      std::exit(2);
    }
    hs::TrustOptions trust;
    trust.ca_file = pki.ca_file;
    trust.use_system_default = false;
    auto verifier = hs::make_default_verifier(trust);
    if (!verifier.ok()) {
      std::fprintf(stderr, "bench: verifier: %s\n", verifier.error().message().c_str());
      std::exit(2);
    }
    hs::ProtocolVersion v =
        s.ver == Ver::tls12 ? hs::ProtocolVersion::tls1_2 : hs::ProtocolVersion::tls1_3;
    auto cc = std::make_shared<hs::ClientConfig>();
    cc->min_version = cc->max_version = v;
    cc->cipher_suites = {s.suite};
    cc->groups = {hs::NamedGroup::x25519, hs::NamedGroup::secp256r1};
    cc->verifier = verifier.value();
    auto sc = std::make_shared<hs::ServerConfig>();
    sc->min_version = sc->max_version = v;
    sc->cipher_suites = {s.suite};
    sc->groups = {hs::NamedGroup::x25519, hs::NamedGroup::secp256r1};
    sc->certificates.push_back(std::move(cert.value()));
    // Full handshakes: no session cache, no tickets on either side (OpenSSL likewise).
    sc->issue_tickets = s.resume == Resume::ticket;
    sc->tls13_session_tickets = s.resume == Resume::ticket && s.ver == Ver::tls13 ? 1 : 0;
    if (s.resume == Resume::session_id) {
      sc->session_cache = std::make_shared<hs::ServerSessionCache>(1 << 16);
    }
    if (s.resume != Resume::none) {
      cc->sessions = std::make_shared<hs::InMemorySessionStore>();
    }
    client_ = cc;
    server_ = sc;
  }
  const char* name() const override { return "ours"; }
  std::unique_ptr<Endpoint> client() override {
    auto c = hs::Connection::client(client_, "localhost");
    if (!c.ok()) {
      return nullptr;
    }
    return std::make_unique<OursEndpoint>(std::move(c.value()));
  }
  std::unique_ptr<Endpoint> server() override {
    auto c = hs::Connection::server(server_);
    if (!c.ok()) {
      return nullptr;
    }
    return std::make_unique<OursEndpoint>(std::move(c.value()));
  }

 private:
  std::shared_ptr<const hs::ClientConfig> client_;
  std::shared_ptr<const hs::ServerConfig> server_;
};

// --- OpenSSL ---

class OsslEndpoint final : public Endpoint {
 public:
  OsslEndpoint(SSL* ssl, bool is_client) : ssl_(ssl) {
    rbio_ = BIO_new(BIO_s_mem());
    wbio_ = BIO_new(BIO_s_mem());
    BIO_set_mem_eof_return(rbio_, -1);
    SSL_set_bio(ssl_, rbio_, wbio_);
    if (is_client) {
      SSL_set_connect_state(ssl_);
    } else {
      SSL_set_accept_state(ssl_);
    }
  }
  ~OsslEndpoint() override {
    // Without a (here: quiet) shutdown, SSL_free marks the session not resumable.
    SSL_set_shutdown(ssl_, SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN);
    SSL_free(ssl_);
  }
  bool drive(std::span<const uint8_t> in, Bytes& out) override {
    if (!in.empty()) {
      BIO_write(rbio_, in.data(), static_cast<int>(in.size()));
    }
    if (!SSL_is_init_finished(ssl_)) {
      int r = SSL_do_handshake(ssl_);
      if (r != 1 && !want(r)) {
        ERR_print_errors_fp(stderr);
        return false;
      }
    }
    if (SSL_is_init_finished(ssl_) && BIO_ctrl_pending(rbio_) > 0) {
      // Post-handshake messages (NewSessionTicket) are processed by a read.
      uint8_t byte;
      int r = SSL_read(ssl_, &byte, 1);
      if (r > 0 || !want(r)) {
        return false;
      }
    }
    flush(out);
    return true;
  }
  bool connected() const override { return SSL_is_init_finished(ssl_) != 0; }
  bool resumed() const override { return SSL_session_reused(ssl_) != 0; }
  bool write(std::span<const uint8_t> data, Bytes& out) override {
    size_t done = 0;
    while (done < data.size()) {
      size_t n = 0;
      if (SSL_write_ex(ssl_, data.data() + done, data.size() - done, &n) != 1) {
        return false;
      }
      done += n;
    }
    flush(out);
    return true;
  }
  std::optional<std::span<const uint8_t>> write_view(std::span<const uint8_t> data) override {
    size_t done = 0;
    while (done < data.size()) {
      size_t n = 0;
      if (SSL_write_ex(ssl_, data.data() + done, data.size() - done, &n) != 1) {
        return std::nullopt;
      }
      done += n;
    }
    char* p = nullptr;
    long len = BIO_get_mem_data(wbio_, &p);
    if (len <= 0) {
      return std::span<const uint8_t>();
    }
    return std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(p), static_cast<size_t>(len));
  }
  void release_output() override { (void)BIO_reset(wbio_); }
  bool read_to(std::span<const uint8_t> in, std::span<uint8_t> dest, size_t& got) override {
    BIO_write(rbio_, in.data(), static_cast<int>(in.size()));
    for (;;) {
      size_t n = 0;
      int r = SSL_read_ex(ssl_, dest.data() + got, dest.size() - got, &n);
      if (r != 1) {
        return got <= dest.size() && want(0);
      }
      got += n;
    }
  }
  bool read_into(std::span<const uint8_t> in, Bytes& plain) override {
    BIO_write(rbio_, in.data(), static_cast<int>(in.size()));
    for (;;) {
      size_t at = plain.size();
      plain.resize(at + 16384);
      size_t n = 0;
      int r = SSL_read_ex(ssl_, plain.data() + at, 16384, &n);
      plain.resize(at + n);
      if (r != 1) {
        return want(0);
      }
    }
  }

 private:
  bool want(int r) const {
    int e = SSL_get_error(ssl_, r);
    return e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE;
  }
  void flush(Bytes& out) {
    size_t pending = BIO_ctrl_pending(wbio_);
    if (pending == 0) {
      return;
    }
    size_t at = out.size();
    out.resize(at + pending);
    int n = BIO_read(wbio_, out.data() + at, static_cast<int>(pending));
    out.resize(at + static_cast<size_t>(std::max(n, 0)));
  }
  SSL* ssl_;
  BIO* rbio_ = nullptr;
  BIO* wbio_ = nullptr;
};

class Ossl final : public Library {
 public:
  Ossl(const Scenario& s, const Pki& pki, bool release_buffers = false) : s_(s) {
    const Leaf& leaf = s.key == KeyType::rsa ? pki.rsa : pki.ecdsa;
    int v = s.ver == Ver::tls12 ? TLS1_2_VERSION : TLS1_3_VERSION;
    cctx_ = SSL_CTX_new(TLS_client_method());
    sctx_ = SSL_CTX_new(TLS_server_method());
    for (SSL_CTX* ctx : {cctx_, sctx_}) {
      SSL_CTX_set_min_proto_version(ctx, v);
      SSL_CTX_set_max_proto_version(ctx, v);
      // X25519 is agreed; P-256 is listed because a TLS 1.2 ECDSA certificate's curve must be
      // among the client's groups (RFC 8422, 5.1), and ours is offered the same list.
      SSL_CTX_set1_groups_list(ctx, "X25519:P-256");
      if (s.ver == Ver::tls12) {
        SSL_CTX_set_cipher_list(ctx, s.ossl12);
      } else {
        SSL_CTX_set_ciphersuites(ctx, s.ossl13);
      }
      if (release_buffers) {
        SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS);
      }
    }
    SSL_CTX_use_certificate(sctx_, leaf.cert);
    SSL_CTX_use_PrivateKey(sctx_, leaf.key);
    X509_STORE_add_cert(SSL_CTX_get_cert_store(cctx_), pki.ca);
    SSL_CTX_set_verify(cctx_, SSL_VERIFY_PEER, nullptr);
    // The client keeps its newest session itself (session_), as ours does in its store; the
    // callback sees TLS 1.2 sessions and TLS 1.3 tickets alike.
    SSL_CTX_set_session_cache_mode(cctx_, SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE);
    SSL_CTX_set_app_data(cctx_, this);
    SSL_CTX_sess_set_new_cb(cctx_, [](SSL* ssl, SSL_SESSION* session) {
      auto* self = static_cast<Ossl*>(SSL_CTX_get_app_data(SSL_get_SSL_CTX(ssl)));
      if (self->session_ != nullptr) {
        SSL_SESSION_free(self->session_);
      }
      self->session_ = session;
      return 1;  // we keep the reference
    });
    switch (s.resume) {
      case Resume::none:
        SSL_CTX_set_session_cache_mode(sctx_, SSL_SESS_CACHE_OFF);
        SSL_CTX_set_options(sctx_, SSL_OP_NO_TICKET);
        SSL_CTX_set_options(cctx_, SSL_OP_NO_TICKET);
        SSL_CTX_set_num_tickets(sctx_, 0);
        break;
      case Resume::session_id:
        SSL_CTX_set_session_cache_mode(sctx_, SSL_SESS_CACHE_SERVER);
        SSL_CTX_sess_set_cache_size(sctx_, 1 << 16);
        SSL_CTX_set_options(sctx_, SSL_OP_NO_TICKET);
        SSL_CTX_set_options(cctx_, SSL_OP_NO_TICKET);
        break;
      case Resume::ticket:
        SSL_CTX_set_session_cache_mode(sctx_, SSL_SESS_CACHE_OFF);
        SSL_CTX_set_num_tickets(sctx_, 1);
        break;
    }
    SSL_CTX_set_session_id_context(sctx_, reinterpret_cast<const unsigned char*>("bench"), 5);
  }
  ~Ossl() override {
    if (session_ != nullptr) {
      SSL_SESSION_free(session_);
    }
    SSL_CTX_free(cctx_);
    SSL_CTX_free(sctx_);
  }
  const char* name() const override { return "openssl"; }
  std::unique_ptr<Endpoint> client() override {
    SSL* ssl = SSL_new(cctx_);
    SSL_set_tlsext_host_name(ssl, "localhost");
    SSL_set1_host(ssl, "localhost");
    if (session_ != nullptr) {
      SSL_set_session(ssl, session_);
      if (s_.ver == Ver::tls13) {
        // TLS 1.3 tickets are single use (RFC 8446 §C.4), as our store treats them.
        SSL_SESSION_free(session_);
        session_ = nullptr;
      }
    }
    return std::make_unique<OsslEndpoint>(ssl, true);
  }
  std::unique_ptr<Endpoint> server() override {
    return std::make_unique<OsslEndpoint>(SSL_new(sctx_), false);
  }

 private:
  Scenario s_;
  SSL_CTX* cctx_ = nullptr;
  SSL_CTX* sctx_ = nullptr;
  SSL_SESSION* session_ = nullptr;
};

// --- GnuTLS (bench/gnutls_side.cc; these two only forward) ---

class Gnutls final : public Library {
 public:
  // count_heap: charge GnuTLS's own mallocs to the running side (the memory scenario).
  Gnutls(const Scenario& s, const Pki& pki, bool count_heap = false) {
    const Leaf& leaf = s.key == KeyType::rsa ? pki.rsa : pki.ecdsa;
    gnutls_side::Config c;
    c.tls13 = s.ver == Ver::tls13;
    c.cipher = gnutls_cipher(s.suite);
    c.kx = s.key == KeyType::rsa ? "+ECDHE-RSA" : "+ECDHE-ECDSA";
    c.cert_pem = leaf.cert_pem;
    c.key_pem = leaf.key_pem;
    BIO* ca = BIO_new(BIO_s_mem());
    PEM_write_bio_X509(ca, pki.ca);
    c.ca_pem = bio_string(ca);
    c.resume = s.resume == Resume::none         ? gnutls_side::Resume::none
               : s.resume == Resume::session_id ? gnutls_side::Resume::session_id
                                                : gnutls_side::Resume::ticket;
    ctx_ = gnutls_side::make_context(c, count_heap ? &kHooks : nullptr);
  }
  const char* name() const override { return "gnutls"; }
  std::unique_ptr<Endpoint> client() override { return ctx_->client(); }
  std::unique_ptr<Endpoint> server() override { return ctx_->server(); }

 private:
  static std::string gnutls_cipher(hs::CipherSuite suite) {
    switch (suite) {
      case hs::CipherSuite::TLS_AES_128_GCM_SHA256:
      case hs::CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256:
      case hs::CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256:
        return "+AES-128-GCM";
      case hs::CipherSuite::TLS_AES_256_GCM_SHA384:
      case hs::CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384:
      case hs::CipherSuite::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384:
        return "+AES-256-GCM";
      case hs::CipherSuite::TLS_CHACHA20_POLY1305_SHA256:
      case hs::CipherSuite::TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256:
      case hs::CipherSuite::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256:
      case hs::CipherSuite::TLS_EMPTY_RENEGOTIATION_INFO_SCSV:
      case hs::CipherSuite::TLS_FALLBACK_SCSV:
        break;
    }
    return "+CHACHA20-POLY1305";
  }
  static inline const gnutls_side::HeapHooks kHooks{&heap::g_side, heap::charge};
  std::unique_ptr<gnutls_side::Context> ctx_;
};

// ---------------------------------------------------------------------------------------------
// Driving a pair.

struct Pair {
  std::unique_ptr<Endpoint> client;
  std::unique_ptr<Endpoint> server;
  Bytes c2s;
  Bytes s2c;
};

// make_pair creates both endpoints (timed: creating a connection is part of a handshake) and
// lets the client produce its first flight.
bool make_pair(Library& lib, Timer& t, Pair& p) {
  p.client = t.run(heap::kClient, [&] { return lib.client(); });
  p.server = t.run(heap::kServer, [&] { return lib.server(); });
  if (!p.client || !p.server) {
    return false;
  }
  return t.run(heap::kClient, [&] { return p.client->drive({}, p.c2s); });
}

// step moves one flight each way; returns false on failure.
bool step(Timer& t, Pair& p) {
  if (!t.run(heap::kServer, [&] { return p.server->drive(p.c2s, p.s2c); })) {
    return false;
  }
  p.c2s.clear();
  if (!t.run(heap::kClient, [&] { return p.client->drive(p.s2c, p.c2s); })) {
    return false;
  }
  p.s2c.clear();
  return true;
}

bool settled(const Pair& p) {
  return p.client->connected() && p.server->connected() && p.c2s.empty() && p.s2c.empty();
}

bool handshake(Library& lib, Timer& t, Pair& p) {
  if (!make_pair(lib, t, p)) {
    return false;
  }
  for (int i = 0; i < 10; ++i) {
    if (!step(t, p)) {
      return false;
    }
    if (settled(p)) {
      return true;
    }
  }
  return false;
}

// Sample: per-side rates of one rep.
struct Sample {
  double client = 0;  // handshakes/s or MB/s
  double server = 0;
};

// per_second turns a run's per-side CPU time into rates of `units` per second. A side left with
// no time once the clock's own cost is off would mean a wrong calibration, not a figure.
std::optional<Sample> per_second(const Timer& t, double units, const std::string& what) {
  if (t.ns[heap::kClient] <= 0 || t.ns[heap::kServer] <= 0) {
    fail(what + ": timed calls took less than the clock's calibrated cost");
    return std::nullopt;
  }
  return Sample{units / (static_cast<double>(t.ns[heap::kClient]) * 1e-9),
                units / (static_cast<double>(t.ns[heap::kServer]) * 1e-9)};
}

// handshake_loop: handshakes on `t` until `seconds` of CPU time pass (at least `min_count`), each
// checked for the expected resumption; returns how many, 0 on failure.
int handshake_loop(Library& lib, const Scenario& s, Timer& t, double seconds, int min_count) {
  int64_t start = cpu_ns();
  int n = 0;
  while (n < min_count || (seconds > 0 && static_cast<double>(cpu_ns() - start) * 1e-9 < seconds)) {
    Pair p;
    if (!handshake(lib, t, p)) {
      fail(std::string(lib.name()) + " " + s.name + ": handshake");
      return 0;
    }
    bool want_resumed = s.resume != Resume::none;
    if (p.client->resumed() != want_resumed || p.server->resumed() != want_resumed) {
      fail(std::string(lib.name()) + " " + s.name + (want_resumed ? ": not resumed" : ": resumed"));
      return 0;
    }
    Timer drop;  // destroying the connections is charged to their sides
    drop.clocked = t.clocked;
    drop.run(heap::kClient, [&] {
      p.client.reset();
      return 0;
    });
    drop.run(heap::kServer, [&] {
      p.server.reset();
      return 0;
    });
    t.ns[heap::kClient] += drop.ns[heap::kClient];
    t.ns[heap::kServer] += drop.ns[heap::kServer];
    ++n;
  }
  return n;
}

// ClockCheck (--clock-check): per handshake, both sides' timed calls with the clock's calibrated
// cost taken off, against the CPU time of as many handshakes run with no clock reads in between
// (that figure also holds the harness's own work, so it should be a little larger).
struct ClockCheck {
  std::string what;
  double timed_us = 0;
  double untimed_us = 0;
};
std::vector<ClockCheck> g_clock_checks;

// run_handshakes: full or resumed handshakes until `seconds` of CPU time (or `count` of them).
std::optional<Sample> run_handshakes(Library& lib, const Scenario& s, double seconds,
                                     int min_count) {
  Timer warm;
  {
    NoCollect quiet;
    // The first handshake is full and not counted: it leaves the session or ticket the timed
    // ones resume, and for every library it does the first-use work (caches and per-thread
    // contexts filled once per process, such as our decoded-key cache) that would otherwise be
    // charged to whichever side is measured first (the client, in callgrind mode).
    Pair first;
    if (!handshake(lib, warm, first)) {
      fail(std::string(lib.name()) + " " + s.name + ": first handshake");
      return std::nullopt;
    }
  }
  Timer t;
  int n = handshake_loop(lib, s, t, seconds, min_count);
  if (n == 0) {
    return std::nullopt;
  }
  if (g_opt.clock_check && g_opt.mode == Mode::timed) {
    Timer untimed;
    untimed.clocked = false;
    int64_t start = cpu_ns();
    if (handshake_loop(lib, s, untimed, 0, n) == 0) {
      return std::nullopt;
    }
    g_clock_checks.push_back(
        {std::string(lib.name()) + " " + s.name,
         static_cast<double>(t.ns[heap::kClient] + t.ns[heap::kServer]) / n / 1e3,
         static_cast<double>(cpu_ns() - start) / n / 1e3});
  }
  return per_second(t, n, std::string(lib.name()) + " " + s.name);
}

// run_bulk: the client writes `write_size` bytes at a time, the server reads them back in
// 64 KiB ciphertext chunks (what a socket read might hand over); MB/s per side. The records go
// from where the writing library left them straight to the reader, and the reader's buffer is
// made once (Endpoint::write_view): a socket application copies no more, and the harness's own
// copies would otherwise be charged to the libraries (1 MiB each way, a third of a seal).
std::optional<Sample> run_bulk(Library& lib, const Scenario& s, double seconds, int min_count,
                               size_t write_size) {
  Timer hs_timer;
  Pair p;
  std::optional<NoCollect> quiet(std::in_place);
  if (!handshake(lib, hs_timer, p)) {
    fail(std::string(lib.name()) + " " + s.name + ": handshake");
    return std::nullopt;
  }
  quiet.reset();
  Bytes data(write_size);
  for (size_t i = 0; i < data.size(); ++i) {
    data[i] = static_cast<uint8_t>(i * 131 + 7);
  }
  // Allocated once, as a receiving application's buffer would be (see Endpoint::write_view).
  Bytes plain(write_size + 65536);
  Timer t;
  int64_t start = cpu_ns();
  int n = 0;
  constexpr size_t kChunk = 65536;
  while (n < min_count || (seconds > 0 && static_cast<double>(cpu_ns() - start) * 1e-9 < seconds)) {
    std::optional<std::span<const uint8_t>> wire;
    if (!t.run(heap::kClient, [&] {
          wire = p.client->write_view(data);
          return wire.has_value();
        })) {
      fail(std::string(lib.name()) + " " + s.name + ": write");
      return std::nullopt;
    }
    size_t got = 0;
    std::span<const uint8_t> rest = *wire;
    while (!rest.empty()) {
      auto chunk = rest.first(std::min(kChunk, rest.size()));
      rest = rest.subspan(chunk.size());
      if (!t.run(heap::kServer, [&] { return p.server->read_to(chunk, plain, got); })) {
        fail(std::string(lib.name()) + " " + s.name + ": read");
        return std::nullopt;
      }
    }
    t.run(heap::kClient, [&] {
      p.client->release_output();
      return true;
    });
    if (got != data.size() || !std::equal(data.begin(), data.end(), plain.begin())) {
      fail(std::string(lib.name()) + " " + s.name + ": data differs");
      return std::nullopt;
    }
    ++n;
  }
  double mb = static_cast<double>(write_size) * n / 1e6;
  return per_second(t, mb, std::string(lib.name()) + " " + s.name);
}

// ---------------------------------------------------------------------------------------------
// Crypto limits: the EVP operations a side cannot avoid, called directly.

// time_per_op runs `op` until `seconds` pass (at least `min` times) and returns seconds per call.
// The clock is read once per batch of calls, not per call (see cpu_ns): batches double until one
// takes a millisecond, and the reads' own cost is subtracted as in Timer.
double time_per_op(const std::function<bool()>& op, double seconds, int min) {
  const int64_t start = cpu_ns();
  int64_t last = start;
  int64_t reads = 0;
  int n = 0;
  int batch = 1;
  double elapsed = 0;
  while (n < min || elapsed < seconds) {
    for (int i = 0; i < batch; ++i) {
      if (!op()) {
        fail("crypto limit operation");
        return 0;
      }
      ++n;
    }
    const int64_t now = cpu_ns();
    ++reads;
    elapsed = static_cast<double>(now - start - reads * g_clock_ns) * 1e-9;
    if (now - last < 1000000) {
      batch *= 2;
    }
    last = now;
  }
  return elapsed / n;
}

struct Limits {
  EVP_PKEY* x25519_peer = nullptr;
  Limits() { x25519_peer = EVP_PKEY_Q_keygen(nullptr, nullptr, "X25519"); }
  ~Limits() { EVP_PKEY_free(x25519_peer); }

  bool x25519() const {
    EVP_PKEY* k = EVP_PKEY_Q_keygen(nullptr, nullptr, "X25519");
    EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new(k, nullptr);
    uint8_t out[32];
    size_t len = sizeof(out);
    bool ok = EVP_PKEY_derive_init(ctx) == 1 && EVP_PKEY_derive_set_peer(ctx, x25519_peer) == 1 &&
              EVP_PKEY_derive(ctx, out, &len) == 1;
    EVP_PKEY_CTX_free(ctx);
    EVP_PKEY_free(k);
    return ok;
  }
  // sign/verify: RSA-PSS-SHA256 (rsa_pss_rsae_sha256, what both libraries pick) or ECDSA-SHA256.
  static bool sign(EVP_PKEY* key, bool pss, Bytes& sig) {
    EVP_MD_CTX* md = EVP_MD_CTX_new();
    EVP_PKEY_CTX* pctx = nullptr;
    const uint8_t msg[130] = {1};
    bool ok = EVP_DigestSignInit(md, &pctx, EVP_sha256(), nullptr, key) == 1;
    if (ok && pss) {
      ok = EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) == 1 &&
           EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) == 1;
    }
    size_t len = 0;
    ok = ok && EVP_DigestSign(md, nullptr, &len, msg, sizeof(msg)) == 1;
    sig.resize(len);
    ok = ok && EVP_DigestSign(md, sig.data(), &len, msg, sizeof(msg)) == 1;
    sig.resize(len);
    EVP_MD_CTX_free(md);
    return ok;
  }
  static bool verify(EVP_PKEY* key, bool pss, const Bytes& sig) {
    EVP_MD_CTX* md = EVP_MD_CTX_new();
    EVP_PKEY_CTX* pctx = nullptr;
    const uint8_t msg[130] = {1};
    bool ok = EVP_DigestVerifyInit(md, &pctx, EVP_sha256(), nullptr, key) == 1;
    if (ok && pss) {
      ok = EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) == 1 &&
           EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) == 1;
    }
    ok = ok && EVP_DigestVerify(md, sig.data(), sig.size(), msg, sizeof(msg)) == 1;
    EVP_MD_CTX_free(md);
    return ok;
  }
};

// Tls12Resumption: the symmetric work every abbreviated TLS 1.2 handshake needs (RFC 5246 §7.3;
// the scenarios' AES-128-GCM with SHA-256), per side, with EVP called directly: the side's random
// (the client draws its random and session ID at once), the transcript hashed and read twice,
// the PRF keyed with the session's master secret (one HMAC key, set on a copy of a context whose
// digest was set once) and its eight HMAC tags (the 40-byte key_block: A(1), P(1), A(2), P(2);
// each Finished's 12-byte verify_data: A(1), P(1)), the two directions' AES-128-GCM keys, one
// Finished record sealed and one opened. By ticket the server also opens the ticket (AES-256-GCM
// with a kept context). Everything else (parsing, state, the session cache) is the libraries'.
struct Tls12Resumption {
  EVP_MAC* mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
  EVP_MAC_CTX* hmac_template = EVP_MAC_CTX_new(mac);
  EVP_MD* sha256 = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  EVP_CIPHER* gcm128 = EVP_CIPHER_fetch(nullptr, "AES-128-GCM", nullptr);
  EVP_CIPHER_CTX* ticket_ctx = EVP_CIPHER_CTX_new();
  uint8_t master[48] = {7};
  uint8_t hello_bytes[320] = {1};
  uint8_t sealed_ticket[160] = {3};
  uint8_t ticket_tag[16] = {0};

  Tls12Resumption() {
    char digest[] = "SHA256";
    OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string("digest", digest, 0),
                           OSSL_PARAM_construct_end()};
    EVP_MAC_CTX_set_params(hmac_template, params);
    const uint8_t key[32] = {9};
    const uint8_t iv[12] = {0};
    int len = 0;
    uint8_t plain[sizeof(sealed_ticket)] = {5};
    // A real ticket to open: sealed once under the ticket key.
    EVP_CIPHER_CTX* enc = EVP_CIPHER_CTX_new();
    EVP_EncryptInit_ex2(enc, EVP_aes_256_gcm(), key, iv, nullptr);
    EVP_EncryptUpdate(enc, sealed_ticket, &len, plain, sizeof(plain));
    EVP_EncryptFinal_ex(enc, sealed_ticket + len, &len);
    EVP_CIPHER_CTX_ctrl(enc, EVP_CTRL_AEAD_GET_TAG, 16, ticket_tag);
    EVP_CIPHER_CTX_free(enc);
    EVP_DecryptInit_ex2(ticket_ctx, EVP_aes_256_gcm(), key, nullptr, nullptr);
  }
  ~Tls12Resumption() {
    EVP_CIPHER_CTX_free(ticket_ctx);
    EVP_CIPHER_free(gcm128);
    EVP_MD_free(sha256);
    EVP_MAC_CTX_free(hmac_template);
    EVP_MAC_free(mac);
  }
  Tls12Resumption(const Tls12Resumption&) = delete;
  Tls12Resumption& operator=(const Tls12Resumption&) = delete;

  static bool tag(EVP_MAC_CTX* h, std::span<const uint8_t> a, std::span<const uint8_t> b,
                  uint8_t out[32]) {
    size_t len = 0;
    return EVP_MAC_init(h, nullptr, 0, nullptr) == 1 &&
           EVP_MAC_update(h, a.data(), a.size()) == 1 &&
           EVP_MAC_update(h, b.data(), b.size()) == 1 && EVP_MAC_final(h, out, &len, 32) == 1;
  }
  // P_SHA256 (RFC 5246 §5) for `blocks` output blocks: A(i) and P(i) per block.
  static bool p_hash(EVP_MAC_CTX* h, std::span<const uint8_t> seed, int blocks) {
    uint8_t a[32];
    uint8_t out[32];
    std::span<const uint8_t> prev = seed;
    for (int i = 0; i < blocks; ++i) {
      if (!tag(h, prev, {}, a) || !tag(h, a, seed, out)) {
        return false;
      }
      prev = a;
    }
    return true;
  }
  static bool keyed(EVP_CIPHER_CTX* c, const EVP_CIPHER* cipher, bool seal) {
    const uint8_t key[16] = {4};
    const uint8_t salt[12] = {0};
    return seal ? EVP_EncryptInit_ex2(c, cipher, key, salt, nullptr) == 1
                : EVP_DecryptInit_ex2(c, cipher, key, salt, nullptr) == 1;
  }
  bool side(bool server, bool ticket) {
    uint8_t random[64];
    uint8_t digest[32];
    unsigned digest_len = 0;
    bool ok = RAND_bytes(random, server ? 32 : 64) == 1;
    if (ok && server && ticket) {
      int len = 0;
      uint8_t plain[sizeof(sealed_ticket)];
      const uint8_t iv[12] = {0};
      ok = EVP_DecryptInit_ex2(ticket_ctx, nullptr, nullptr, iv, nullptr) == 1 &&
           EVP_DecryptUpdate(ticket_ctx, plain, &len, sealed_ticket, sizeof(sealed_ticket)) == 1 &&
           EVP_CIPHER_CTX_ctrl(ticket_ctx, EVP_CTRL_AEAD_SET_TAG, 16, ticket_tag) == 1 &&
           EVP_DecryptFinal_ex(ticket_ctx, plain + len, &len) == 1;
    }
    EVP_MD_CTX* transcript = EVP_MD_CTX_new();
    EVP_MD_CTX* snapshot = EVP_MD_CTX_new();
    EVP_MAC_CTX* prf = EVP_MAC_CTX_dup(hmac_template);
    EVP_CIPHER_CTX* write = EVP_CIPHER_CTX_new();
    EVP_CIPHER_CTX* read = EVP_CIPHER_CTX_new();
    ok = ok && transcript && snapshot && prf && write && read &&
         EVP_DigestInit_ex2(transcript, sha256, nullptr) == 1 &&
         EVP_DigestUpdate(transcript, hello_bytes, sizeof(hello_bytes)) == 1 &&
         EVP_MAC_init(prf, master, sizeof(master), nullptr) == 1;
    // "key expansion" + server_random + client_random, then "client finished" / "server
    // finished" + the transcript hash.
    uint8_t seed[13 + 64] = {0};
    std::copy_n(random, 32, seed + 13);
    ok = ok && p_hash(prf, seed, 2) && keyed(write, gcm128, true) && keyed(read, gcm128, false);
    for (int finished = 0; ok && finished < 2; ++finished) {
      ok = EVP_MD_CTX_copy_ex(snapshot, transcript) == 1 &&
           EVP_DigestFinal_ex(snapshot, digest, &digest_len) == 1;
      uint8_t label[15 + 32] = {0};
      std::copy_n(digest, 32, label + 15);
      ok = ok && p_hash(prf, label, 1) && EVP_DigestUpdate(transcript, label, 16) == 1;
    }
    // One Finished record each way: 8-byte explicit nonce, 16-byte message, 16-byte tag.
    uint8_t nonce[12] = {0};
    uint8_t aad[13] = {0, 0, 0, 0, 0, 0, 0, 0, 22, 3, 3, 0, 16};
    uint8_t plain[16] = {20, 0, 0, 12};
    uint8_t record[16];
    uint8_t tag_bytes[16];
    int len = 0;
    ok = ok && EVP_EncryptInit_ex2(write, nullptr, nullptr, nonce, nullptr) == 1 &&
         EVP_EncryptUpdate(write, nullptr, &len, aad, sizeof(aad)) == 1 &&
         EVP_EncryptUpdate(write, record, &len, plain, sizeof(plain)) == 1 &&
         EVP_EncryptFinal_ex(write, record + len, &len) == 1 &&
         EVP_CIPHER_CTX_ctrl(write, EVP_CTRL_AEAD_GET_TAG, 16, tag_bytes) == 1;
    // The peer's record is this one (same key in the limit): opening it must succeed.
    ok = ok && EVP_DecryptInit_ex2(read, nullptr, nullptr, nonce, nullptr) == 1 &&
         EVP_DecryptUpdate(read, nullptr, &len, aad, sizeof(aad)) == 1 &&
         EVP_DecryptUpdate(read, plain, &len, record, sizeof(record)) == 1 &&
         EVP_CIPHER_CTX_ctrl(read, EVP_CTRL_AEAD_SET_TAG, 16, tag_bytes) == 1 &&
         EVP_DecryptFinal_ex(read, plain + len, &len) == 1;
    EVP_CIPHER_CTX_free(read);
    EVP_CIPHER_CTX_free(write);
    EVP_MAC_CTX_free(prf);
    EVP_MD_CTX_free(snapshot);
    EVP_MD_CTX_free(transcript);
    return ok;
  }
};

// HandshakeLimit is one handshake's share of the crypto limit, per side (TLS 1.2 resumption:
// Tls12Resumption above; TLS 1.3 resumption: one X25519 per side). Server: one key share
// (X25519 key pair and derivation) and one signature; client: the same key share, the handshake
// signature's verification and the chain's (the leaf's signature by the RSA root, PKCS#1 v1.5).
// The timed table (handshake_limit) and the callgrind table both run side().
class HandshakeLimit {
 public:
  HandshakeLimit(const Scenario& s, const Pki& pki) : s_(s), pki_(pki) {
    key_ = s.key == KeyType::rsa ? pki.rsa.key : pki.ecdsa.key;
    pss_ = s.key == KeyType::rsa;
    Limits::sign(key_, pss_, sig_);
    Limits::sign(pki.ca_key, false, ca_sig_);
  }

  bool side(bool server) {
    if (s_.ver == Ver::tls12 && s_.resume != Resume::none) {
      return resumption_.side(server, s_.resume == Resume::ticket);
    }
    if (s_.resume == Resume::ticket) {
      return limits_.x25519();  // psk_dhe_ke: one X25519 per side
    }
    if (server) {
      return limits_.x25519() && Limits::sign(key_, pss_, scratch_);
    }
    return limits_.x25519() && Limits::verify(key_, pss_, sig_) &&
           Limits::verify(pki_.ca_key, false, ca_sig_);
  }

 private:
  const Scenario& s_;
  const Pki& pki_;
  Limits limits_;
  Tls12Resumption resumption_;
  EVP_PKEY* key_ = nullptr;
  bool pss_ = false;
  Bytes sig_, ca_sig_, scratch_;
};

// handshake_limit: handshakes per second of each side's limit work, each side's run at least
// `min` times; the work runs inside Timer so that callgrind mode counts only the side measured.
Sample handshake_limit(const Scenario& s, const Pki& pki, double seconds, int min = 3) {
  HandshakeLimit limit(s, pki);
  Timer t;  // heap scope and callgrind's toggle only: time_per_op times the loop
  t.clocked = false;
  double client = time_per_op(
      [&] { return t.run(heap::kClient, [&] { return limit.side(false); }); }, seconds, min);
  double server = time_per_op(
      [&] { return t.run(heap::kServer, [&] { return limit.side(true); }); }, seconds, min);
  return Sample{1 / client, 1 / server};
}

const EVP_CIPHER* cipher_of(hs::CipherSuite suite) {
  switch (suite) {
    case hs::CipherSuite::TLS_AES_128_GCM_SHA256:
    case hs::CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256:
    case hs::CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256:
      return EVP_aes_128_gcm();
    case hs::CipherSuite::TLS_AES_256_GCM_SHA384:
    case hs::CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384:
    case hs::CipherSuite::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384:
      return EVP_aes_256_gcm();
    case hs::CipherSuite::TLS_CHACHA20_POLY1305_SHA256:
    case hs::CipherSuite::TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256:
    case hs::CipherSuite::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256:
    case hs::CipherSuite::TLS_EMPTY_RENEGOTIATION_INFO_SCSV:
    case hs::CipherSuite::TLS_FALLBACK_SCSV:
      break;
  }
  return EVP_chacha20_poly1305();
}

// bulk_limit: MB/s of sealing (client) and opening (server) `write_size` bytes as full records
// with EVP alone: one context per direction, keyed once, a fresh nonce per record, the record's
// additional data, 16-byte tag (TLS 1.3 adds its content-type byte to each record).
Sample bulk_limit(const Scenario& s, size_t write_size, double seconds) {
  const EVP_CIPHER* cipher = cipher_of(s.suite);
  const size_t record = 16384;
  const size_t inner = s.ver == Ver::tls13 ? record + 1 : record;
  const size_t aad_len = s.ver == Ver::tls13 ? 5 : 13;
  Bytes key(static_cast<size_t>(EVP_CIPHER_get_key_length(cipher)), 0x42);
  uint8_t nonce[12] = {0};
  uint8_t aad[13] = {23, 3, 3, 0x40, 0x11};
  Bytes plain(write_size + record, 0x5a);
  size_t records = (write_size + record - 1) / record;
  Bytes sealed(records * (inner + 16));
  EVP_CIPHER_CTX* enc = EVP_CIPHER_CTX_new();
  EVP_CIPHER_CTX* dec = EVP_CIPHER_CTX_new();
  EVP_EncryptInit_ex(enc, cipher, nullptr, key.data(), nonce);
  EVP_DecryptInit_ex(dec, cipher, nullptr, key.data(), nonce);
  auto seal_all = [&] {
    for (size_t r = 0; r < records; ++r) {
      nonce[11] = static_cast<uint8_t>(r);
      int len = 0;
      uint8_t* out = sealed.data() + r * (inner + 16);
      if (EVP_EncryptInit_ex(enc, nullptr, nullptr, nullptr, nonce) != 1 ||
          EVP_EncryptUpdate(enc, nullptr, &len, aad, static_cast<int>(aad_len)) != 1 ||
          EVP_EncryptUpdate(enc, out, &len, plain.data() + r * record, static_cast<int>(inner)) !=
              1 ||
          EVP_EncryptFinal_ex(enc, out + inner, &len) != 1 ||
          EVP_CIPHER_CTX_ctrl(enc, EVP_CTRL_AEAD_GET_TAG, 16, out + inner) != 1) {
        return false;
      }
    }
    return true;
  };
  auto open_all = [&] {
    for (size_t r = 0; r < records; ++r) {
      nonce[11] = static_cast<uint8_t>(r);
      int len = 0;
      uint8_t* in = sealed.data() + r * (inner + 16);
      if (EVP_DecryptInit_ex(dec, nullptr, nullptr, nullptr, nonce) != 1 ||
          EVP_DecryptUpdate(dec, nullptr, &len, aad, static_cast<int>(aad_len)) != 1 ||
          EVP_CIPHER_CTX_ctrl(dec, EVP_CTRL_AEAD_SET_TAG, 16, in + inner) != 1 ||
          EVP_DecryptUpdate(dec, plain.data() + r * record, &len, in, static_cast<int>(inner)) !=
              1 ||
          EVP_DecryptFinal_ex(dec, plain.data() + r * record + inner, &len) != 1) {
        return false;
      }
    }
    return true;
  };
  Timer t;  // heap scope and callgrind's toggle only: time_per_op times the loop
  t.clocked = false;
  double seal = time_per_op([&] { return t.run(heap::kClient, seal_all); }, seconds, 1);
  double open = time_per_op([&] { return t.run(heap::kServer, open_all); }, seconds, 1);
  EVP_CIPHER_CTX_free(enc);
  EVP_CIPHER_CTX_free(dec);
  double mb = static_cast<double>(write_size) / 1e6;
  return Sample{mb / seal, mb / open};
}

// ---------------------------------------------------------------------------------------------
// Reporting.

struct Stat {
  double median = 0;
  double lo = 0;
  double hi = 0;
};
Stat stat(std::vector<double> v) {
  if (v.empty()) {
    return {};
  }
  std::sort(v.begin(), v.end());
  double med = v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
  return {med, v.front(), v.back()};
}
std::string spread(const Stat& s) {
  if (s.median <= 0) {
    return "";
  }
  double pct = 100.0 * std::max(s.median - s.lo, s.hi - s.median) / s.median;
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.0f%%", pct);
  return buf;
}

void print_header(const char* unit) {
  std::printf("%-36s %-6s %11s %5s %11s %5s %6s %11s %5s %6s %11s %7s\n", "scenario", "side",
              "ours", "", "openssl", "", "ratio", "gnutls", "", "ratio", "limit", "of lim");
  std::printf("%-36s %-6s %11s %5s %11s %5s %6s %11s %5s %6s %11s %7s\n", "", "", unit, "spr", unit,
              "spr", "o/ssl", unit, "spr", "o/gnu", unit, "");
}

void print_row(const std::string& name, const char* side, const Stat& ours, const Stat& ossl,
               const Stat& gnu, double limit) {
  char lim[32] = "-";
  char pct[32] = "-";
  if (limit > 0) {
    std::snprintf(lim, sizeof(lim), "%.0f", limit);
    std::snprintf(pct, sizeof(pct), "%.0f%%", 100 * ours.median / limit);
  }
  std::printf("%-36s %-6s %11.0f %5s %11.0f %5s %5.2fx %11.0f %5s %5.2fx %11s %7s\n", name.c_str(),
              side, ours.median, spread(ours).c_str(), ossl.median, spread(ossl).c_str(),
              ossl.median > 0 ? ours.median / ossl.median : 0, gnu.median, spread(gnu).c_str(),
              gnu.median > 0 ? ours.median / gnu.median : 0, lim, pct);
  std::fflush(stdout);
}

bool selected(const std::string& name) {
  return g_opt.filter.empty() || name.find(g_opt.filter) != std::string::npos;
}

#if HS_HAVE_CALLGRIND
// callgrind_scenario: for each library and side, zero the counters, run `count` iterations with
// collection on only inside that side's calls, and dump under a label bench.sh parses:
// "<scenario>|<library>|<side>|<count>|<unit>".
template <typename Run>
void callgrind_scenario(const std::string& name, std::initializer_list<Library*> libs, int count,
                        const char* unit, Run run) {
  for (Library* lib : libs) {
    for (uint32_t side : {heap::kClient, heap::kServer}) {
      g_collect = side;
      CALLGRIND_ZERO_STATS;
      run(*lib);
      std::string label = name + "|" + lib->name() + "|" +
                          (side == heap::kClient ? "client" : "server") + "|" +
                          std::to_string(count) + "|" + unit;
      CALLGRIND_DUMP_STATS_AT(label.c_str());
      g_collect = heap::kNone;
    }
  }
}
#endif

// ---------------------------------------------------------------------------------------------
// The scenario table.

std::vector<Scenario> bulk_scenarios() {
  using CS = hs::CipherSuite;
  return {
      {"bulk tls1.2 aes-128-gcm", Ver::tls12, KeyType::ecdsa,
       CS::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, "ECDHE-ECDSA-AES128-GCM-SHA256", nullptr},
      {"bulk tls1.2 aes-256-gcm", Ver::tls12, KeyType::ecdsa,
       CS::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, "ECDHE-ECDSA-AES256-GCM-SHA384", nullptr},
      {"bulk tls1.2 chacha20-poly1305", Ver::tls12, KeyType::ecdsa,
       CS::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256, "ECDHE-ECDSA-CHACHA20-POLY1305", nullptr},
      {"bulk tls1.3 aes-256-gcm", Ver::tls13, KeyType::ecdsa, CS::TLS_AES_256_GCM_SHA384, nullptr,
       "TLS_AES_256_GCM_SHA384"},
  };
}

std::vector<Scenario> handshake_scenarios() {
  using CS = hs::CipherSuite;
  return {
      {"full tls1.2 rsa-2048 x25519", Ver::tls12, KeyType::rsa,
       CS::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, "ECDHE-RSA-AES128-GCM-SHA256", nullptr},
      {"full tls1.2 ecdsa-p256 x25519", Ver::tls12, KeyType::ecdsa,
       CS::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, "ECDHE-ECDSA-AES128-GCM-SHA256", nullptr},
      {"full tls1.3 rsa-2048 x25519", Ver::tls13, KeyType::rsa, CS::TLS_AES_128_GCM_SHA256, nullptr,
       "TLS_AES_128_GCM_SHA256"},
      {"full tls1.3 ecdsa-p256 x25519", Ver::tls13, KeyType::ecdsa, CS::TLS_AES_128_GCM_SHA256,
       nullptr, "TLS_AES_128_GCM_SHA256"},
      {"resumed tls1.2 session-id", Ver::tls12, KeyType::ecdsa,
       CS::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, "ECDHE-ECDSA-AES128-GCM-SHA256", nullptr,
       Resume::session_id},
      {"resumed tls1.2 ticket", Ver::tls12, KeyType::ecdsa,
       CS::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, "ECDHE-ECDSA-AES128-GCM-SHA256", nullptr,
       Resume::ticket},
      {"resumed tls1.3 ticket x25519", Ver::tls13, KeyType::ecdsa, CS::TLS_AES_128_GCM_SHA256,
       nullptr, "TLS_AES_128_GCM_SHA256", Resume::ticket},
  };
}

void bulk(const Pki& pki) {
  const size_t write_size = g_opt.mode == Mode::smoke ? 40000 : 1 << 20;
  if (g_opt.mode == Mode::timed) {
    std::printf(
        "\nBulk transfer, %zu-byte writes, client -> server (MB per second of CPU time; spr = "
        "spread of %d runs "
        "around the median)\n",
        write_size, g_opt.reps);
    print_header("MB/s");
  }
  for (const Scenario& s : bulk_scenarios()) {
    if (!selected(s.name)) {
      continue;
    }
    if (g_opt.mode != Mode::callgrind) {
      calibrate_clock();
    }
    Ours ours(s, pki);
    Ossl ossl(s, pki);
    Gnutls gnu(s, pki);
    if (g_opt.mode == Mode::smoke) {
      for (Library* lib : {static_cast<Library*>(&ours), static_cast<Library*>(&ossl),
                           static_cast<Library*>(&gnu)}) {
        if (run_bulk(*lib, s, 0, 2, write_size)) {
          std::printf("ok   %-8s %s\n", lib->name(), s.name.c_str());
        }
      }
      bulk_limit(s, write_size, 0);
      continue;
    }
#if HS_HAVE_CALLGRIND
    if (g_opt.mode == Mode::callgrind) {
      const int count = 4;
      callgrind_scenario(s.name, {&ours, &ossl, &gnu}, count, "MiB",
                         [&](Library& lib) { run_bulk(lib, s, 0, count, write_size); });
      g_collect = heap::kClient;
      CALLGRIND_ZERO_STATS;
      for (int i = 0; i < count; ++i) {
        bulk_limit(s, write_size, 0);
      }
      CALLGRIND_DUMP_STATS_AT((s.name + "|limit|client|" + std::to_string(count) + "|MiB").c_str());
      g_collect = heap::kServer;
      CALLGRIND_ZERO_STATS;
      for (int i = 0; i < count; ++i) {
        bulk_limit(s, write_size, 0);
      }
      CALLGRIND_DUMP_STATS_AT((s.name + "|limit|server|" + std::to_string(count) + "|MiB").c_str());
      g_collect = heap::kNone;
      continue;
    }
#endif
    std::vector<double> oc, os, lc, ls, xc, xs, gc, gs;
    for (int r = 0; r < g_opt.reps; ++r) {
      auto a = run_bulk(ours, s, g_opt.seconds, 2, write_size);
      auto b = run_bulk(ossl, s, g_opt.seconds, 2, write_size);
      auto g = run_bulk(gnu, s, g_opt.seconds, 2, write_size);
      Sample lim = bulk_limit(s, write_size, g_opt.seconds / 2);
      if (!a || !b || !g) {
        break;
      }
      gc.push_back(g->client);
      gs.push_back(g->server);
      oc.push_back(a->client);
      os.push_back(a->server);
      xc.push_back(b->client);
      xs.push_back(b->server);
      lc.push_back(lim.client);
      ls.push_back(lim.server);
    }
    print_row(s.name, "send", stat(oc), stat(xc), stat(gc), stat(lc).median);
    print_row(s.name, "recv", stat(os), stat(xs), stat(gs), stat(ls).median);
  }
}

void handshakes(const Pki& pki) {
  if (g_opt.mode == Mode::timed) {
    std::printf(
        "\nHandshakes, client and server in one thread (handshakes per second of each side's CPU "
        "time; "
        "certificate chains verified)\n");
    print_header("hs/s");
  }
  for (const Scenario& s : handshake_scenarios()) {
    if (!selected(s.name)) {
      continue;
    }
    if (g_opt.mode != Mode::callgrind) {
      calibrate_clock();
    }
    Ours ours(s, pki);
    Ossl ossl(s, pki);
    Gnutls gnu(s, pki);
    if (g_opt.mode == Mode::smoke) {
      for (Library* lib : {static_cast<Library*>(&ours), static_cast<Library*>(&ossl),
                           static_cast<Library*>(&gnu)}) {
        if (run_handshakes(*lib, s, 0, 2)) {
          std::printf("ok   %-8s %s\n", lib->name(), s.name.c_str());
        }
      }
      handshake_limit(s, pki, 0);
      continue;
    }
#if HS_HAVE_CALLGRIND
    if (g_opt.mode == Mode::callgrind) {
      const int count = 20;
      callgrind_scenario(s.name, {&ours, &ossl, &gnu}, count, "handshake",
                         [&](Library& lib) { run_handshakes(lib, s, 0, count); });
      for (uint32_t side : {heap::kClient, heap::kServer}) {
        g_collect = side;
        CALLGRIND_ZERO_STATS;
        handshake_limit(s, pki, 0, count);
        const char* name = side == heap::kClient ? "client" : "server";
        CALLGRIND_DUMP_STATS_AT(
            (s.name + "|limit|" + name + "|" + std::to_string(count) + "|handshake").c_str());
      }
      g_collect = heap::kNone;
      continue;
    }
#endif
    std::vector<double> oc, os, xc, xs, gc, gs;
    Sample lim = handshake_limit(s, pki, g_opt.seconds);
    for (int r = 0; r < g_opt.reps; ++r) {
      auto a = run_handshakes(ours, s, g_opt.seconds, 5);
      auto b = run_handshakes(ossl, s, g_opt.seconds, 5);
      auto g = run_handshakes(gnu, s, g_opt.seconds, 5);
      if (!a || !b || !g) {
        break;
      }
      gc.push_back(g->client);
      gs.push_back(g->server);
      oc.push_back(a->client);
      os.push_back(a->server);
      xc.push_back(b->client);
      xs.push_back(b->server);
    }
    print_row(s.name, "client", stat(oc), stat(xc), stat(gc), lim.client);
    print_row(s.name, "server", stat(os), stat(xs), stat(gs), lim.server);
  }
}

// ---------------------------------------------------------------------------------------------
// Memory: N pairs brought through full handshakes in lockstep (every pair's server flight, then
// every pair's client flight), then held idle with their buffers drained.

struct MemResult {
  double peak_client = 0;  // bytes per connection
  double peak_server = 0;
  double idle_client = 0;
  double idle_server = 0;
};

std::optional<MemResult> lockstep(Library& lib, int n) {
  std::vector<Pair> pairs(static_cast<size_t>(n));
  for (Pair& p : pairs) {
    // The transport buffers are the bench's: reserved up front (uncharged), so the flights that
    // drive() appends never grow them on a side's account.
    p.c2s.reserve(8192);
    p.s2c.reserve(8192);
  }
  Timer t;
  int64_t base_c = heap::g_live[heap::kClient];
  int64_t base_s = heap::g_live[heap::kServer];
  heap::reset_peaks();
  for (Pair& p : pairs) {
    if (!make_pair(lib, t, p)) {
      fail(std::string(lib.name()) + " lockstep: client hello");
      return std::nullopt;
    }
  }
  for (int round = 0; round < 10; ++round) {
    bool all = true;
    for (Pair& p : pairs) {
      if (!t.run(heap::kServer, [&] { return p.server->drive(p.c2s, p.s2c); })) {
        fail(std::string(lib.name()) + " lockstep: server");
        return std::nullopt;
      }
      p.c2s.clear();
    }
    for (Pair& p : pairs) {
      if (!t.run(heap::kClient, [&] { return p.client->drive(p.s2c, p.c2s); })) {
        fail(std::string(lib.name()) + " lockstep: client");
        return std::nullopt;
      }
      p.s2c.clear();
      all = all && settled(p);
    }
    if (all) {
      break;
    }
  }
  for (Pair& p : pairs) {
    if (!settled(p)) {
      fail(std::string(lib.name()) + " lockstep: not connected");
      return std::nullopt;
    }
  }
  MemResult m;
  m.peak_client = static_cast<double>(heap::g_peak[heap::kClient] - base_c) / n;
  m.peak_server = static_cast<double>(heap::g_peak[heap::kServer] - base_s) / n;
  m.idle_client = static_cast<double>(heap::g_live[heap::kClient] - base_c) / n;
  m.idle_server = static_cast<double>(heap::g_live[heap::kServer] - base_s) / n;
  return m;
}

void memory(const Pki& pki) {
  Scenario s{"memory tls1.3 ecdsa-p256 x25519",       Ver::tls13, KeyType::ecdsa,
             hs::CipherSuite::TLS_AES_128_GCM_SHA256, nullptr,    "TLS_AES_128_GCM_SHA256"};
  if (!selected("memory")) {
    return;
  }
  std::vector<int> sizes = g_opt.mode == Mode::smoke ? std::vector<int>{3} : g_opt.memory_sizes;
  if (g_opt.mode == Mode::timed) {
    std::printf(
        "\nMemory, full TLS 1.3 ECDSA handshakes in lockstep: heap bytes per connection "
        "(peak during the handshakes / held when idle)\n");
    std::printf("%-8s %-6s %17s %17s %17s %17s\n", "N", "side", "ours", "openssl",
                "openssl (release)",
                gnutls_side::heap_counting_available() ? "gnutls" : "(gnutls)");
  }
  for (int n : sizes) {
    Ours ours(s, pki);
    Ossl ossl(s, pki);
    Ossl ossl_rel(s, pki, /*release_buffers=*/true);
    Gnutls gnu(s, pki, /*count_heap=*/true);
    std::optional<MemResult> r[4];
    Library* libs[4] = {&ours, &ossl, &ossl_rel, &gnu};
    for (int i = 0; i < 4; ++i) {
      r[i] = lockstep(*libs[i], n);
    }
    if (!r[0] || !r[1] || !r[2] || !r[3]) {
      continue;
    }
    if (g_opt.mode == Mode::smoke) {
      std::printf("ok   memory N=%d: ours idle %.0f/%.0f B per client/server\n", n,
                  r[0]->idle_client, r[0]->idle_server);
      continue;
    }
    auto cell = [](double peak, double idle) {
      char buf[40];
      std::snprintf(buf, sizeof(buf), "%6.1f / %5.1f KB", peak / 1024, idle / 1024);
      return std::string(buf);
    };
    std::printf("%-8d %-6s %17s %17s %17s %17s\n", n, "client",
                cell(r[0]->peak_client, r[0]->idle_client).c_str(),
                cell(r[1]->peak_client, r[1]->idle_client).c_str(),
                cell(r[2]->peak_client, r[2]->idle_client).c_str(),
                cell(r[3]->peak_client, r[3]->idle_client).c_str());
    std::printf("%-8s %-6s %17s %17s %17s %17s\n", "", "server",
                cell(r[0]->peak_server, r[0]->idle_server).c_str(),
                cell(r[1]->peak_server, r[1]->idle_server).c_str(),
                cell(r[2]->peak_server, r[2]->idle_server).c_str(),
                cell(r[3]->peak_server, r[3]->idle_server).c_str());
    std::fflush(stdout);
  }
}

void usage() {
  std::fprintf(stderr,
               "usage: hs_bench [--smoke | --callgrind] [--reps N] [--seconds S] "
               "[--filter TEXT] [--no-memory] [--memory-sizes 100,1000,5000] [--ours-read] "
               "[--clock-check]\n");
}

}  // namespace

int main(int argc, char** argv) {
  // Before anything in libcrypto allocates, so every OpenSSL block carries our header.
  const bool counting_ossl =
      CRYPTO_set_mem_functions(heap::ossl_malloc, heap::ossl_realloc, heap::ossl_free) == 1;
  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) {
        usage();
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--smoke") {
      g_opt.mode = Mode::smoke;
    } else if (a == "--callgrind") {
      g_opt.mode = Mode::callgrind;
    } else if (a == "--reps") {
      g_opt.reps = std::max(1, std::atoi(next().c_str()));
    } else if (a == "--seconds") {
      g_opt.seconds = std::atof(next().c_str());
    } else if (a == "--filter") {
      g_opt.filter = next();
    } else if (a == "--clock-check") {
      g_opt.clock_check = true;
    } else if (a == "--ours-read") {
      g_opt.ours_read = true;
    } else if (a == "--no-memory") {
      g_opt.memory = false;
    } else if (a == "--memory-sizes") {
      g_opt.memory_sizes.clear();
      std::string list = next();
      for (size_t at = 0; at < list.size();) {
        size_t comma = list.find(',', at);
        g_opt.memory_sizes.push_back(std::atoi(list.substr(at, comma - at).c_str()));
        at = comma == std::string::npos ? list.size() : comma + 1;
      }
    } else {
      usage();
      return 2;
    }
  }
#if !HS_HAVE_CALLGRIND
  if (g_opt.mode == Mode::callgrind) {
    std::fprintf(stderr, "hs_bench: built without <valgrind/callgrind.h>\n");
    return 2;
  }
#endif
  if (!counting_ossl) {
    std::fprintf(stderr, "hs_bench: warning: OpenSSL's allocations are not counted\n");
  }
  Pki pki = make_pki();
  if (g_opt.mode != Mode::callgrind) {
    calibrate_clock();
  }
  if (g_opt.mode == Mode::timed) {
    std::printf(
        "hs_bench: ours (hs::Connection) vs %s and GnuTLS %s, one thread, memory transport\n",
        OpenSSL_version(OPENSSL_VERSION), gnutls_side::version());
    std::printf(
        "clock: a CLOCK_THREAD_CPUTIME_ID read costs %lld ns (median of back-to-back reads), "
        "subtracted from every timed call; measured again before each scenario\n",
        static_cast<long long>(g_clock_ns));
  }
  handshakes(pki);
  bulk(pki);
  if (g_opt.mode == Mode::timed) {
    std::printf("\nclock: %lld-%lld ns per read over this run's calibrations\n",
                static_cast<long long>(g_clock_lo), static_cast<long long>(g_clock_hi));
    if (!g_clock_checks.empty()) {
      std::printf(
          "clock check: us per handshake (medians of the runs), both sides' timed calls with the "
          "clock's cost off / the same handshakes untimed (with the harness's work)\n");
      for (size_t i = 0; i < g_clock_checks.size(); ++i) {
        const std::string& what = g_clock_checks[i].what;
        if (std::any_of(g_clock_checks.begin(), g_clock_checks.begin() + static_cast<ptrdiff_t>(i),
                        [&](const ClockCheck& c) { return c.what == what; })) {
          continue;  // printed with its first run
        }
        std::vector<double> timed, untimed;
        for (const ClockCheck& c : g_clock_checks) {
          if (c.what == what) {
            timed.push_back(c.timed_us);
            untimed.push_back(c.untimed_us);
          }
        }
        double a = stat(timed).median;
        double b = stat(untimed).median;
        std::printf("  %-45s %8.1f / %8.1f  %+5.1f%%\n", what.c_str(), a, b, 100 * (a / b - 1));
      }
    }
  } else if (g_opt.mode == Mode::smoke) {
    std::printf("ok   clock read %lld-%lld ns\n", static_cast<long long>(g_clock_lo),
                static_cast<long long>(g_clock_hi));
  }
  if (g_opt.memory && g_opt.mode != Mode::callgrind) {
    memory(pki);
  }
  std::filesystem::remove(pki.ca_file);
  // Freed so that LeakSanitizer (the asan preset runs the smoke test) reports only real leaks.
  for (Leaf* leaf : {&pki.rsa, &pki.ecdsa}) {
    X509_free(leaf->cert);
    EVP_PKEY_free(leaf->key);
  }
  X509_free(pki.ca);
  EVP_PKEY_free(pki.ca_key);
  if (g_failures > 0) {
    std::fprintf(stderr, "hs_bench: %d failure(s)\n", g_failures);
    return 1;
  }
  if (g_opt.mode == Mode::smoke) {
    std::printf("hs_bench: smoke ok\n");
  }
  return 0;
}
