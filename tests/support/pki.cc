#include "support/pki.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>
#include <system_error>

#include "support/paths.h"
#include "support/process.h"

namespace hs::test {

namespace {

std::filesystem::path pki_script() { return source_dir() / "scripts" / "make-test-pki.sh"; }

void run_pki_script(const std::filesystem::path& out, std::string_view host) {
  CommandResult r =
      run_command({"bash", pki_script().string(), out.string(), std::string(host)}, 120s);
  if (r.exit_code != 0) {
    throw std::runtime_error("make-test-pki.sh failed:\n" + r.output());
  }
}

TestPki pki_files(const std::filesystem::path& dir) {
  TestPki pki;
  pki.dir = dir;
  auto file = [&](const char* name) { return pki.dir / name; };
  pki.ca_cert = file("ca.pem");
  pki.ca_key = file("ca.key");
  pki.rsa_cert = file("rsa.pem");
  pki.rsa_key = file("rsa.key");
  pki.ecdsa_cert = file("ecdsa.pem");
  pki.ecdsa_key = file("ecdsa.key");
  pki.intermediate_cert = file("intermediate.pem");
  pki.intermediate_key = file("intermediate.key");
  pki.chain_leaf_cert = file("chain-leaf.pem");
  pki.chain_leaf_key = file("chain-leaf.key");
  pki.chain = file("chain.pem");
  pki.client_cert = file("client.pem");
  pki.client_key = file("client.key");
  pki.client_rsa_cert = file("client-rsa.pem");
  pki.client_rsa_key = file("client-rsa.key");
  pki.other_ca_cert = file("other-ca.pem");
  pki.untrusted_client_cert = file("untrusted-client.pem");
  pki.untrusted_client_key = file("untrusted-client.key");
  pki.ed25519_cert = file("ed25519.pem");
  pki.ed25519_key = file("ed25519.key");
  pki.ed448_cert = file("ed448.pem");
  pki.ed448_key = file("ed448.key");
  pki.rsa_pss_cert = file("rsa-pss.pem");
  pki.rsa_pss_key = file("rsa-pss.key");
  return pki;
}

// FileLock holds an exclusive flock on a file for its lifetime.
class FileLock {
 public:
  explicit FileLock(const std::filesystem::path& path)
      : fd_(open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644)) {
    if (fd_ < 0 || flock(fd_, LOCK_EX) != 0) {
      throw std::runtime_error("shared_build_dir: cannot lock " + path.string());
    }
  }
  ~FileLock() { close(fd_); }
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;

 private:
  int fd_;
};

}  // namespace

TestPki make_test_pki(const TempDir& dir, std::string_view host) {
  run_pki_script(dir / "pki", host);
  return pki_files(dir / "pki");
}

std::filesystem::path shared_build_dir(
    const std::string& name, const std::string& recipe,
    const std::function<void(const std::filesystem::path&)>& make) {
  const std::filesystem::path dir = build_dir() / name;
  const std::filesystem::path stamp = dir / ".recipe";
  FileLock lock(build_dir() / (name + ".lock"));
  std::ifstream in(stamp, std::ios::binary);
  const std::string made((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (!in || made != recipe) {
    std::error_code ec;
    const std::filesystem::path tmp = build_dir() / (name + ".tmp");
    std::filesystem::remove_all(tmp, ec);
    std::filesystem::create_directories(tmp);
    make(tmp);
    std::ofstream(tmp / ".recipe", std::ios::binary) << recipe;
    std::filesystem::remove_all(dir, ec);
    std::filesystem::rename(tmp, dir);
  }
  return dir;
}

const TestPki& shared_test_pki() {
  static const TestPki pki = [] {
    std::ifstream script(pki_script(), std::ios::binary);
    const std::string recipe((std::istreambuf_iterator<char>(script)),
                             std::istreambuf_iterator<char>());
    if (recipe.empty()) {
      throw std::runtime_error("cannot read " + pki_script().string());
    }
    return pki_files(shared_build_dir("test-pki", recipe, [](const std::filesystem::path& tmp) {
      run_pki_script(tmp, "localhost");
    }));
  }();
  return pki;
}

std::string public_key_pin(const std::filesystem::path& cert, const std::filesystem::path& dir) {
  const std::string pub = (dir / "pin-pub.pem").string();
  const std::string der = (dir / "pin-pub.der").string();
  const std::string digest = (dir / "pin-pub.sha256").string();
  for (const std::vector<std::string>& cmd :
       {std::vector<std::string>{"openssl", "x509", "-in", cert.string(), "-pubkey", "-noout",
                                 "-out", pub},
        std::vector<std::string>{"openssl", "pkey", "-pubin", "-in", pub, "-outform", "DER", "-out",
                                 der},
        std::vector<std::string>{"openssl", "dgst", "-sha256", "-binary", "-out", digest, der}}) {
    CommandResult r = run_command(cmd);
    if (r.exit_code != 0) {
      throw std::runtime_error(r.output());
    }
  }
  CommandResult b64 = run_command({"openssl", "base64", "-A", "-in", digest});
  if (b64.exit_code != 0) {
    throw std::runtime_error(b64.output());
  }
  return "sha256//" + b64.out.substr(0, b64.out.find_first_of("\r\n"));
}

void make_crl(const std::filesystem::path& ca_cert, const std::filesystem::path& ca_key,
              const std::vector<std::filesystem::path>& revoked, const std::filesystem::path& out,
              const std::vector<std::string>& validity) {
  const std::filesystem::path db = out.string() + ".db";
  std::filesystem::create_directories(db);
  {
    std::ofstream(db / "index.txt", std::ios::trunc).flush();
    std::ofstream(db / "crlnumber", std::ios::trunc) << "01\n";
    std::ofstream cnf(db / "ca.cnf", std::ios::trunc);
    cnf << "[ ca ]\ndefault_ca = d\n[ d ]\ndatabase = " << (db / "index.txt").string()
        << "\ncrlnumber = " << (db / "crlnumber").string() << "\ndefault_md = sha256\n";
  }
  const std::vector<std::string> base = {
      "openssl",       "ca",    "-config",       (db / "ca.cnf").string(), "-keyfile",
      ca_key.string(), "-cert", ca_cert.string()};
  auto run = [](const std::vector<std::string>& cmd) {
    CommandResult r = run_command(cmd);
    if (r.exit_code != 0) {
      throw std::runtime_error(r.output());
    }
  };
  for (const std::filesystem::path& cert : revoked) {
    std::vector<std::string> cmd = base;
    cmd.insert(cmd.end(), {"-revoke", cert.string(), "-crl_reason", "keyCompromise"});
    run(cmd);
  }
  std::vector<std::string> cmd = base;
  cmd.insert(cmd.end(), {"-gencrl", "-out", out.string()});
  cmd.insert(cmd.end(), validity.begin(), validity.end());
  run(cmd);
}

}  // namespace hs::test
