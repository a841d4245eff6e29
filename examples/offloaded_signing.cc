// offloaded_signing: a server whose private key stays with a "signing service" that answers
// later, on another thread, as a KMS or a keyless-TLS key server would. The handshake stops at
// its signature (Connection::signature_request), the service signs with its own crypto
// (OpenSSL's libcrypto here; the key never reaches the TLS library) and the application hands
// the result back (Connection::provide_signature). Client and server run in memory, as in
// memory_pair. Usage:
//   offloaded_signing ECDSA_P256_CERT.pem ECDSA_P256_KEY.pem CA.pem [1.2|1.3]
#include <hs/config.h>
#include <hs/connection.h>
#include <hs/signer.h>
#include <hs/x509.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <cstdint>
#include <fstream>
#include <future>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

namespace {

std::string read_file(const char* path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

int fail(const char* what, const hs::Error& error) {
  std::cerr << what << ": " << error.message() << "\n";
  return 1;
}

hs::Result<void> transfer(hs::Connection& from, hs::Connection& to) {
  while (from.wants_write()) {
    std::vector<uint8_t> bytes(from.output().begin(), from.output().end());
    from.consume_output(bytes.size());
    if (auto r = to.receive(bytes); !r) {
      return r;
    }
  }
  return {};
}

// SigningService holds the key and signs on its own thread: ECDSA P-256 with SHA-256 over the
// whole message, in the DER form TLS sends (ecdsa_secp256r1_sha256). Empty on failure.
class SigningService {
 public:
  explicit SigningService(const std::string& key_pem) {
    BIO* bio = BIO_new_mem_buf(key_pem.data(), static_cast<int>(key_pem.size()));
    key_ = PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr);
    BIO_free(bio);
  }
  ~SigningService() { EVP_PKEY_free(key_); }
  SigningService(const SigningService&) = delete;
  SigningService& operator=(const SigningService&) = delete;

  std::future<std::vector<uint8_t>> sign(std::vector<uint8_t> message) {
    return std::async(std::launch::async, [this, message = std::move(message)] {
      std::vector<uint8_t> signature;
      EVP_MD_CTX* ctx = EVP_MD_CTX_new();
      size_t len = 0;
      if (key_ != nullptr && ctx != nullptr &&
          EVP_DigestSignInit(ctx, nullptr, EVP_sha256(), nullptr, key_) == 1 &&
          EVP_DigestSign(ctx, nullptr, &len, message.data(), message.size()) == 1) {
        signature.resize(len);
        if (EVP_DigestSign(ctx, signature.data(), &len, message.data(), message.size()) == 1) {
          signature.resize(len);
        } else {
          signature.clear();
        }
      }
      EVP_MD_CTX_free(ctx);
      return signature;
    });
  }

 private:
  EVP_PKEY* key_ = nullptr;
};

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) {
    std::cerr << "usage: offloaded_signing CERT.pem KEY.pem CA.pem [1.2|1.3]\n";
    return 2;
  }
  const std::string version = argc > 4 ? argv[4] : "1.3";
  SigningService service(read_file(argv[2]));

  // The server gets the chain only: its key is offloaded (ECDSA P-256 with SHA-256).
  auto loaded = hs::load_server_certificate(read_file(argv[1]), read_file(argv[2]));
  if (!loaded) {
    return fail("server certificate", loaded.error());
  }
  auto offloaded =
      hs::certified_key_for_offload(loaded->chain, {hs::SignatureScheme::ecdsa_secp256r1_sha256});
  if (!offloaded) {
    return fail("offloaded key", offloaded.error());
  }
  auto server_config = std::make_shared<hs::ServerConfig>();
  server_config->certificates.push_back(std::move(*offloaded));

  hs::TrustOptions trust;
  trust.ca_file = argv[3];
  trust.use_system_default = false;
  auto verifier = hs::make_default_verifier(trust);
  if (!verifier) {
    return fail("trust store", verifier.error());
  }
  auto client_config = std::make_shared<hs::ClientConfig>();
  client_config->verifier = *verifier;
  if (version == "1.2") {
    client_config->max_version = hs::ProtocolVersion::tls1_2;
  }

  auto client = hs::Connection::client(client_config, "localhost");
  auto server = hs::Connection::server(server_config);
  if (!client || !server) {
    return fail(!client ? "client" : "server", !client ? client.error() : server.error());
  }
  hs::Connection& c = **client;
  hs::Connection& s = **server;

  int signatures = 0;
  for (int round = 0; round < 10 && (c.is_handshaking() || s.is_handshaking()); ++round) {
    if (auto r = transfer(c, s); !r) {
      return fail("server side", r.error());
    }
    if (const hs::SignatureRequest* request = s.signature_request()) {
      // What came before the signature is already in s.output(): a real server sends it now
      // and serves other connections until the service answers.
      std::cout << "server waits for a " << hs::signature_scheme_name(request->scheme)
                << " signature of " << request->message.size() << " bytes\n";
      std::future<std::vector<uint8_t>> pending = service.sign(request->message);
      if (auto r = transfer(s, c); !r) {
        return fail("client side", r.error());
      }
      if (auto r = s.provide_signature(pending.get()); !r) {
        return fail("provide_signature", r.error());
      }
      ++signatures;
    }
    if (auto r = transfer(s, c); !r) {
      return fail("client side", r.error());
    }
  }
  if (!c.is_connected() || !s.is_connected()) {
    std::cerr << "handshake did not finish\n";
    return 1;
  }
  const hs::SessionInfo& info = c.info();
  std::cout << "handshake: " << hs::version_name(*info.version) << " "
            << hs::suite_name(*info.cipher_suite)
            << (info.peer_verified ? ", server verified" : ", server NOT verified") << ", "
            << signatures << " offloaded signature(s)\n";
  return info.peer_verified && signatures == 1 ? 0 : 1;
}
