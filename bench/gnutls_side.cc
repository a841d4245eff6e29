// gnutls_side.cc: GnuTLS 3.7 as hs_bench's second baseline (see gnutls_side.h). Configured as the
// other two are: one suite, X25519 agreed (P-256 listed, as ours and OpenSSL list it; the client
// sends one key share), the same certificates and root, chains verified, no session cache and no
// tickets in full handshakes, a server session cache (gnutls_db_set_*) or tickets for resumption,
// and memory buffers as transport (gnutls_transport_set_push/pull_function).
#include "gnutls_side.h"

#include <errno.h>
#include <gnutls/gnutls.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <map>

// ---------------------------------------------------------------------------------------------
// Heap counting by malloc interposition (see HeapHooks). Blocks are found again on free through
// an open-addressing table in static storage, so the counter itself never allocates.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define HS_GNUTLS_HEAP 0
#else
#define HS_GNUTLS_HEAP 1
#endif

namespace {

const gnutls_side::HeapHooks* g_hooks = nullptr;  // set while a counting session's call runs
void (*g_charge)(uint32_t, int64_t) = nullptr;

#if HS_GNUTLS_HEAP
struct Entry {
  uintptr_t p;
  uint32_t size;
  uint32_t side;
};
constexpr size_t kSlots = size_t{1} << 22;  // 64 MiB of address space, touched as used
Entry g_table[kSlots];
size_t g_entries = 0;

size_t slot_of(uintptr_t p) { return static_cast<size_t>((p >> 4) * 0x9E3779B97F4A7C15ull) >> 42; }

void track(void* ptr, size_t size, uint32_t side) {
  if (g_entries + 1 >= kSlots / 2) {
    return;  // full: stop counting rather than degrade (never reached by the memory scenario)
  }
  auto p = reinterpret_cast<uintptr_t>(ptr);
  size_t i = slot_of(p);
  while (g_table[i].p != 0) {
    i = (i + 1) & (kSlots - 1);
  }
  g_table[i] = Entry{p, static_cast<uint32_t>(size), side};
  ++g_entries;
  g_charge(side, static_cast<int64_t>(size));
}

// untrack removes `ptr` if it is counted (linear probing, backward-shift deletion).
bool untrack(void* ptr, Entry& out) {
  auto p = reinterpret_cast<uintptr_t>(ptr);
  size_t i = slot_of(p);
  while (g_table[i].p != p) {
    if (g_table[i].p == 0) {
      return false;
    }
    i = (i + 1) & (kSlots - 1);
  }
  out = g_table[i];
  --g_entries;
  g_charge(out.side, -static_cast<int64_t>(out.size));
  for (size_t j = (i + 1) & (kSlots - 1); g_table[j].p != 0; j = (j + 1) & (kSlots - 1)) {
    size_t home = slot_of(g_table[j].p);
    // Move j back into the hole at i when its home slot does not lie in (i, j].
    bool stays = i <= j ? (i < home && home <= j) : (i < home || home <= j);
    if (!stays) {
      g_table[i] = g_table[j];
      i = j;
    }
  }
  g_table[i] = Entry{0, 0, 0};
  return true;
}

extern "C" char __executable_start;
extern "C" char etext;

// counted: a block requested now, by code outside the executable (GnuTLS, nettle, gmp, libc on
// their behalf), while a counting session runs.
bool counted(void* caller) {
  if (g_hooks == nullptr) {
    return false;
  }
  auto a = reinterpret_cast<uintptr_t>(caller);
  return a < reinterpret_cast<uintptr_t>(&__executable_start) ||
         a >= reinterpret_cast<uintptr_t>(&etext);
}
#endif

}  // namespace

#if HS_GNUTLS_HEAP
extern "C" {
void* __libc_malloc(size_t);
void* __libc_calloc(size_t, size_t);
void* __libc_realloc(void*, size_t);
void __libc_free(void*);

void* malloc(size_t n) noexcept {
  void* p = __libc_malloc(n);
  if (p != nullptr && counted(__builtin_return_address(0))) {
    track(p, n, *g_hooks->side);
  }
  return p;
}

void* calloc(size_t n, size_t size) noexcept {
  void* p = __libc_calloc(n, size);
  if (p != nullptr && counted(__builtin_return_address(0))) {
    track(p, n * size, *g_hooks->side);
  }
  return p;
}

void free(void* p) noexcept {
  Entry e;
  if (p != nullptr && g_entries > 0) {
    untrack(p, e);
  }
  __libc_free(p);
}

void* realloc(void* p, size_t n) noexcept {
  Entry old{0, 0, 0};
  bool was = p != nullptr && g_entries > 0 && untrack(p, old);
  bool now = counted(__builtin_return_address(0));
  void* q = __libc_realloc(p, n);
  if (q == nullptr) {
    if (was && n != 0) {
      track(p, old.size, old.side);  // failed: the old block is still there
    }
    return q;
  }
  if (was) {
    track(q, n, old.side);
  } else if (now) {
    track(q, n, *g_hooks->side);
  }
  return q;
}
}  // extern "C"
#endif

namespace gnutls_side {

bool heap_counting_available() { return HS_GNUTLS_HEAP != 0; }

const char* version() { return gnutls_check_version(nullptr); }

namespace {

// Counting makes a session's calls count the heap (when its context was given hooks).
struct Counting {
  explicit Counting(const HeapHooks* h) : saved(g_hooks) { g_hooks = h; }
  ~Counting() { g_hooks = saved; }
  const HeapHooks* saved;
};

void die(const char* what, int r) {
  std::fprintf(stderr, "bench: gnutls %s: %s\n", what, gnutls_strerror(r));
  std::exit(2);
}

gnutls_datum_t datum(const std::string& s) {
  return gnutls_datum_t{reinterpret_cast<unsigned char*>(const_cast<char*>(s.data())),
                        static_cast<unsigned>(s.size())};
}

class Ctx;

class GSession final : public Session {
 public:
  GSession(Ctx& ctx, bool is_client);
  ~GSession() override;

  bool drive(std::span<const uint8_t> in, Bytes& out) override {
    Counting c(hooks_);
    Io io(*this, in, &out);
    if (!done_) {
      int r = gnutls_handshake(s_);
      if (r == GNUTLS_E_AGAIN || r == GNUTLS_E_INTERRUPTED) {
        return true;
      }
      if (r != 0) {
        std::fprintf(stderr, "gnutls %s handshake: %s\n", client_ ? "client" : "server",
                     gnutls_strerror(r));
        return false;
      }
      done_ = true;
      if (!handshake_done()) {
        return false;
      }
    }
    if (available() > 0) {
      // Post-handshake messages (NewSessionTicket) are processed by a read.
      uint8_t byte;
      ssize_t r = gnutls_record_recv(s_, &byte, 1);
      return r == GNUTLS_E_AGAIN;
    }
    return true;
  }
  bool connected() const override { return done_; }
  bool resumed() const override { return gnutls_session_is_resumed(s_) != 0; }
  bool write(std::span<const uint8_t> data, Bytes& out) override {
    Counting c(hooks_);
    Io io(*this, {}, &out);
    return send_all(data);
  }
  std::optional<std::span<const uint8_t>> write_view(std::span<const uint8_t> data) override {
    Counting c(hooks_);
    Io io(*this, {}, &records_);
    if (!send_all(data)) {
      return std::nullopt;
    }
    return std::span<const uint8_t>(records_);
  }
  void release_output() override { records_.clear(); }
  bool read_to(std::span<const uint8_t> in, std::span<uint8_t> dest, size_t& got) override {
    Counting c(hooks_);
    Io io(*this, in, nullptr);
    for (;;) {
      ssize_t r = gnutls_record_recv(s_, dest.subspan(got).data(), dest.size() - got);
      if (r == GNUTLS_E_AGAIN) {
        return true;
      }
      if (r <= 0) {
        return false;
      }
      got += static_cast<size_t>(r);
    }
  }
  bool read_into(std::span<const uint8_t> in, Bytes& plain) override {
    Counting c(hooks_);
    Io io(*this, in, nullptr);
    for (;;) {
      size_t at = plain.size();
      plain.resize(at + 16384);
      ssize_t r = gnutls_record_recv(s_, std::span<uint8_t>(plain).subspan(at).data(), 16384);
      plain.resize(at + static_cast<size_t>(std::max<ssize_t>(r, 0)));
      if (r == GNUTLS_E_AGAIN) {
        return true;
      }
      if (r <= 0) {
        return false;
      }
    }
  }

 private:
  // describe: what was negotiated, e.g. "TLS1.3 AES-128-GCM X25519 ECDSA-SECP256R1-SHA256".
  std::string describe() const {
    std::string d = gnutls_protocol_get_name(gnutls_protocol_get_version(s_));
    d += std::string(" ") + gnutls_cipher_get_name(gnutls_cipher_get(s_));
    const char* group = gnutls_group_get_name(gnutls_group_get(s_));
    d += std::string(" ") + (group != nullptr ? group : "no-group");
    const char* sig =
        gnutls_sign_get_name(static_cast<gnutls_sign_algorithm_t>(gnutls_sign_algorithm_get(s_)));
    d += std::string(" ") + (sig != nullptr ? sig : "no-signature");
    return d;
  }

  // Io points the transport callbacks at this call's input and output; input GnuTLS has not
  // pulled by the end of the call is kept for the next one (the caller's span does not live on).
  struct Io {
    Io(GSession& s, std::span<const uint8_t> in, Bytes* out) : self(s) {
      self.in_ = in;
      self.sink_ = out;
    }
    ~Io() {
      if (!self.in_.empty()) {
        self.pending_.insert(self.pending_.end(), self.in_.begin(), self.in_.end());
      }
      self.in_ = {};
      self.sink_ = nullptr;
    }
    GSession& self;
  };

  size_t available() const { return pending_.size() - pending_at_ + in_.size(); }

  static ssize_t push(gnutls_transport_ptr_t p, const void* data, size_t size) {
    auto* self = static_cast<GSession*>(p);
    if (self->sink_ == nullptr) {
      gnutls_transport_set_errno(self->s_, EAGAIN);
      return -1;
    }
    const auto* bytes = static_cast<const uint8_t*>(data);
    self->sink_->insert(self->sink_->end(), bytes, bytes + size);
    return static_cast<ssize_t>(size);
  }
  static ssize_t pull(gnutls_transport_ptr_t p, void* data, size_t size) {
    auto* self = static_cast<GSession*>(p);
    auto* dest = static_cast<uint8_t*>(data);
    size_t done = 0;
    if (self->pending_at_ < self->pending_.size()) {
      size_t n = std::min(size, self->pending_.size() - self->pending_at_);
      std::copy_n(self->pending_.begin() + static_cast<std::ptrdiff_t>(self->pending_at_), n, dest);
      self->pending_at_ += n;
      done = n;
      if (self->pending_at_ == self->pending_.size()) {
        self->pending_.clear();
        self->pending_at_ = 0;
      }
    }
    if (done < size && !self->in_.empty()) {
      size_t n = std::min(size - done, self->in_.size());
      std::copy_n(self->in_.begin(), n, dest + done);
      self->in_ = self->in_.subspan(n);
      done += n;
    }
    if (done == 0) {
      gnutls_transport_set_errno(self->s_, EAGAIN);
      return -1;
    }
    return static_cast<ssize_t>(done);
  }
  // Only gnutls_session_get_data2 waits (for a TLS 1.3 ticket); nothing arrives while it does.
  static int pull_timeout(gnutls_transport_ptr_t p, unsigned int) {
    return static_cast<GSession*>(p)->available() > 0 ? 1 : 0;
  }

  bool send_all(std::span<const uint8_t> data) {
    while (!data.empty()) {
      ssize_t r = gnutls_record_send(s_, data.data(), data.size());
      if (r <= 0) {
        return false;
      }
      data = data.subspan(static_cast<size_t>(r));
    }
    return true;
  }

  bool handshake_done();

  Ctx& ctx_;
  bool client_;
  const HeapHooks* hooks_;
  gnutls_session_t s_ = nullptr;
  bool done_ = false;
  std::span<const uint8_t> in_;
  Bytes pending_;
  size_t pending_at_ = 0;
  Bytes* sink_ = nullptr;
  Bytes records_;  // write_view's records, where the next send() would take them from
};

class Ctx final : public Context {
 public:
  Ctx(const Config& c, const HeapHooks* hooks) : config_(c), hooks_(hooks) {
    if (hooks != nullptr) {
      g_charge = hooks->charge;
    }
    // The suite, the key exchange (TLS 1.2) and the groups are the scenario's only choices.
    std::string prio =
        "NORMAL:-VERS-ALL:" + std::string(c.tls13 ? "+VERS-TLS1.3" : "+VERS-TLS1.2") +
        ":-CIPHER-ALL:" + c.cipher +
        ":-MAC-ALL:+AEAD:-GROUP-ALL:+GROUP-X25519:" + "+GROUP-SECP256R1";
    if (!c.tls13) {
      // RSA-PSS first: GnuTLS 3.7 would sign TLS 1.2 with PKCS#1 v1.5, the others pick
      // rsa_pss_rsae_sha256 (what the limit column times).
      prio += ":-KX-ALL:" + c.kx +
              ":-SIGN-ALL:+SIGN-RSA-PSS-RSAE-SHA256:+SIGN-ECDSA-SHA256:+SIGN-RSA-SHA256";
    }
    const char* err = nullptr;
    if (int r = gnutls_priority_init2(&prio_, prio.c_str(), &err, 0); r < 0) {
      std::fprintf(stderr, "bench: gnutls priority at '%s'\n", err != nullptr ? err : "?");
      die("priority_init", r);
    }
    if (int r = gnutls_certificate_allocate_credentials(&server_cred_); r < 0) {
      die("credentials", r);
    }
    gnutls_datum_t cert = datum(c.cert_pem);
    gnutls_datum_t key = datum(c.key_pem);
    if (int r = gnutls_certificate_set_x509_key_mem2(server_cred_, &cert, &key, GNUTLS_X509_FMT_PEM,
                                                     nullptr, 0);
        r < 0) {
      die("server certificate", r);
    }
    if (int r = gnutls_certificate_allocate_credentials(&client_cred_); r < 0) {
      die("credentials", r);
    }
    gnutls_datum_t ca = datum(c.ca_pem);
    if (int r = gnutls_certificate_set_x509_trust_mem(client_cred_, &ca, GNUTLS_X509_FMT_PEM);
        r != 1) {
      die("trust root", r < 0 ? r : GNUTLS_E_INVALID_REQUEST);
    }
    if (c.resume == Resume::ticket) {
      if (int r = gnutls_session_ticket_key_generate(&ticket_key_); r < 0) {
        die("ticket key", r);
      }
    }
  }
  ~Ctx() override {
    gnutls_free(ticket_key_.data);
    gnutls_certificate_free_credentials(server_cred_);
    gnutls_certificate_free_credentials(client_cred_);
    gnutls_priority_deinit(prio_);
  }
  std::unique_ptr<Session> client() override {
    Counting c(hooks_);
    return std::make_unique<GSession>(*this, true);
  }
  std::unique_ptr<Session> server() override {
    Counting c(hooks_);
    return std::make_unique<GSession>(*this, false);
  }

 private:
  friend class GSession;

  // The server's session cache (TLS 1.2 session ids), as gnutls_db_set_* wants it.
  static int db_store(void* p, gnutls_datum_t key, gnutls_datum_t data) {
    auto& db = static_cast<Ctx*>(p)->db_;
    db[Bytes(key.data, key.data + key.size)] = Bytes(data.data, data.data + data.size);
    return 0;
  }
  static gnutls_datum_t db_retrieve(void* p, gnutls_datum_t key) {
    auto& db = static_cast<Ctx*>(p)->db_;
    auto it = db.find(Bytes(key.data, key.data + key.size));
    gnutls_datum_t out{nullptr, 0};
    if (it == db.end()) {
      return out;
    }
    out.data = static_cast<unsigned char*>(gnutls_malloc(it->second.size()));
    if (out.data != nullptr) {
      std::copy(it->second.begin(), it->second.end(), out.data);
      out.size = static_cast<unsigned>(it->second.size());
    }
    return out;
  }
  static int db_remove(void* p, gnutls_datum_t key) {
    auto& db = static_cast<Ctx*>(p)->db_;
    return db.erase(Bytes(key.data, key.data + key.size)) == 1 ? 0 : -1;
  }

  Config config_;
  const HeapHooks* hooks_;
  gnutls_priority_t prio_ = nullptr;
  gnutls_certificate_credentials_t server_cred_ = nullptr;
  gnutls_certificate_credentials_t client_cred_ = nullptr;
  gnutls_datum_t ticket_key_{nullptr, 0};
  std::map<Bytes, Bytes> db_;
  Bytes session_;  // the client's newest session (TLS 1.2) or unused ticket (TLS 1.3)
};

GSession::GSession(Ctx& ctx, bool is_client) : ctx_(ctx), client_(is_client), hooks_(ctx.hooks_) {
  const Config& c = ctx.config_;
  unsigned flags = GNUTLS_NONBLOCK | (is_client ? GNUTLS_CLIENT : GNUTLS_SERVER);
  if (c.resume != Resume::ticket) {
    flags |= GNUTLS_NO_TICKETS;
  }
  if (is_client) {
    flags |= GNUTLS_KEY_SHARE_TOP;  // one key share (X25519), as ours and OpenSSL send
  } else if (c.tls13 && c.resume == Resume::ticket) {
    flags |= GNUTLS_NO_AUTO_SEND_TICKET;  // one ticket, sent in handshake_done(), as the others
  }
  if (int r = gnutls_init(&s_, flags); r < 0) {
    die("init", r);
  }
  gnutls_priority_set(s_, ctx.prio_);
  gnutls_transport_set_ptr(s_, this);
  gnutls_transport_set_push_function(s_, push);
  gnutls_transport_set_pull_function(s_, pull);
  gnutls_transport_set_pull_timeout_function(s_, pull_timeout);
  if (is_client) {
    gnutls_credentials_set(s_, GNUTLS_CRD_CERTIFICATE, ctx.client_cred_);
    gnutls_server_name_set(s_, GNUTLS_NAME_DNS, "localhost", 9);
    gnutls_session_set_verify_cert(s_, "localhost", 0);
    if (!ctx.session_.empty()) {
      gnutls_session_set_data(s_, ctx.session_.data(), ctx.session_.size());
      if (c.tls13) {
        ctx.session_.clear();  // TLS 1.3 tickets are single use (RFC 8446, C.4), as the others
      }
    }
  } else {
    gnutls_credentials_set(s_, GNUTLS_CRD_CERTIFICATE, ctx.server_cred_);
    if (c.resume == Resume::session_id) {
      gnutls_db_set_ptr(s_, &ctx);
      gnutls_db_set_store_function(s_, Ctx::db_store);
      gnutls_db_set_retrieve_function(s_, Ctx::db_retrieve);
      gnutls_db_set_remove_function(s_, Ctx::db_remove);
    } else if (c.resume == Resume::ticket) {
      gnutls_session_ticket_enable_server(s_, &ctx.ticket_key_);
    }
  }
}

GSession::~GSession() {
  Counting c(hooks_);
  const Config& cfg = ctx_.config_;
  // The client keeps its session for the next connection, as the others' stores do: in TLS 1.2
  // the first one (resumptions reuse it), in TLS 1.3 the ticket this connection received.
  if (client_ && done_ && cfg.resume != Resume::none &&
      (cfg.tls13 ? (gnutls_session_get_flags(s_) & GNUTLS_SFLAGS_SESSION_TICKET) != 0
                 : ctx_.session_.empty())) {
    gnutls_datum_t d{nullptr, 0};
    if (gnutls_session_get_data2(s_, &d) == 0) {
      ctx_.session_.assign(d.data, d.data + d.size);
      gnutls_free(d.data);
    }
  }
  gnutls_deinit(s_);
}

// handshake_done: the server's one TLS 1.3 ticket; both sides check that X25519 was agreed (in a
// TLS 1.3 resumption that means psk_dhe_ke).
bool GSession::handshake_done() {
  const Config& c = ctx_.config_;
  if (c.tls13 || !resumed()) {
    if (gnutls_group_get(s_) != GNUTLS_GROUP_X25519) {
      std::fprintf(stderr, "gnutls: %s did not agree on X25519 (%s)\n",
                   client_ ? "client" : "server", describe().c_str());
      return false;
    }
  }
  if (!client_ && c.tls13 && c.resume == Resume::ticket) {
    if (int r = gnutls_session_ticket_send(s_, 1, 0); r < 0) {
      std::fprintf(stderr, "gnutls ticket: %s\n", gnutls_strerror(r));
      return false;
    }
  }
  return true;
}

}  // namespace

std::unique_ptr<Context> make_context(const Config& config, const HeapHooks* hooks) {
  return std::make_unique<Ctx>(config, hooks);
}

}  // namespace gnutls_side
