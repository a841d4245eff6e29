// The installed package as a user meets it: `cmake --install` into a temporary prefix, then
// examples/ built as a separate project with find_package(handshake CONFIG), and memory_pair.cc
// built with nothing but `pkg-config --cflags --libs handshake`. Also checks that every
// installed header compiles on its own, with only the installed include directory.
#include <gtest/gtest.h>

#include <filesystem>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "support/hs_server.h"
#include "support/paths.h"
#include "support/pki.h"
#include "support/process.h"
#include "support/temp_dir.h"

namespace hs::test {
namespace {

namespace fs = std::filesystem;

std::string describe(const CommandResult& r) {
  return "exit " + std::to_string(r.exit_code) + (r.timed_out ? " (timed out)" : "") +
         "\nstdout:\n" + r.out + "\nstderr:\n" + r.err;
}

// compiler_command is the C++ compiler this build used, behind its launcher (ccache) if any.
std::vector<std::string> compiler_command() {
  std::vector<std::string> cmd;
  if (std::string launcher = HS_PACKAGE_LAUNCHER; !launcher.empty()) {
    cmd.push_back(launcher);
  }
  cmd.push_back(HS_PACKAGE_CXX);
  if (std::string flags = HS_PACKAGE_CXX_FLAGS; !flags.empty()) {
    cmd.push_back(flags);
  }
  return cmd;
}

// install runs `cmake --install <build> --prefix <prefix>`.
::testing::AssertionResult install(const fs::path& prefix) {
  CommandResult r = run_command(
      {HS_PACKAGE_CMAKE, "--install", build_dir().string(), "--prefix", prefix.string()}, 60s);
  if (r.exit_code != 0) {
    return ::testing::AssertionFailure() << "cmake --install failed: " << describe(r);
  }
  return ::testing::AssertionSuccess();
}

fs::path examples_dir() { return source_dir() / "examples"; }

TEST(Package, InstallsLibrariesPackageConfigAndPkgConfig) {
  TempDir tmp;
  const fs::path prefix = tmp / "prefix";
  ASSERT_TRUE(install(prefix));
  for (const char* file : {"include/hs/connection.h", "include/hs/config.h", "lib/libhandshake.a",
                           "lib/libhandshake.so", "lib/cmake/handshake/handshake-config.cmake",
                           "lib/cmake/handshake/handshake-config-version.cmake",
                           "lib/pkgconfig/handshake.pc", "bin/hs"}) {
    EXPECT_TRUE(fs::exists(prefix / file)) << file;
  }
  // The shared library is versioned: libhandshake.so -> libhandshake.so.<SOVERSION>.
  EXPECT_TRUE(fs::is_symlink(prefix / "lib/libhandshake.so"));
  // Nothing internal is installed: the public API is include/hs only.
  for (const auto& entry : fs::recursive_directory_iterator(prefix / "include")) {
    if (entry.is_regular_file()) {
      EXPECT_EQ(*fs::relative(entry.path(), prefix / "include").begin(), "hs") << entry.path();
    }
  }
}

// Each public header must compile alone against the installed include directory: no include of
// src/, nothing it forgot to include itself, no warnings under the project's flags.
TEST(Package, EveryInstalledHeaderIsSelfContained) {
  TempDir tmp;
  const fs::path prefix = tmp / "prefix";
  ASSERT_TRUE(install(prefix));
  int headers = 0;
  for (const auto& entry : fs::recursive_directory_iterator(prefix / "include/hs")) {
    if (!entry.is_regular_file() || entry.path().extension() != ".h") {
      continue;
    }
    ++headers;
    const fs::path rel = fs::relative(entry.path(), prefix / "include");
    const fs::path tu = tmp.write_file("tu_" + std::to_string(headers) + ".cc",
                                       "#include <" + rel.string() + ">\n");
    std::vector<std::string> cmd = {
        HS_PACKAGE_CXX, "-std=c++20", "-fsyntax-only",
        "-Wall",        "-Wextra",    "-Wshadow",
        "-Wconversion", "-Werror",    "-I" + (prefix / "include").string(),
        tu.string()};
    CommandResult r = run_command(cmd, 60s);
    EXPECT_EQ(r.exit_code, 0) << rel << " does not compile alone: " << describe(r);
  }
  EXPECT_GE(headers, 8);
}

TEST(Package, ExamplesBuildAgainstInstalledPackageWithFindPackage) {
  TempDir tmp;
  const fs::path prefix = tmp / "prefix";
  const fs::path build = tmp / "examples-build";
  ASSERT_TRUE(install(prefix));
  std::vector<std::string> configure = {
      HS_PACKAGE_CMAKE, "-S", examples_dir().string(), "-B", build.string(), "-G",
      HS_PACKAGE_GENERATOR, "-DCMAKE_BUILD_TYPE=Debug", "-DCMAKE_PREFIX_PATH=" + prefix.string(),
      "-DCMAKE_CXX_COMPILER=" + std::string(HS_PACKAGE_CXX),
      "-DCMAKE_CXX_FLAGS=" + std::string(HS_PACKAGE_CXX_FLAGS),
      // asio_echo takes longer to compile than the rest
      // together; hs_asio_test covers that header.
      "-DHS_EXAMPLES_ASIO=OFF",
      // The shared library (the pkg-config test below covers -lhandshake too): the examples
      // link against only what its version script exports.
      "-DBUILD_SHARED_LIBS=ON"};
  if (std::string launcher = HS_PACKAGE_LAUNCHER; !launcher.empty()) {
    configure.push_back("-DCMAKE_CXX_COMPILER_LAUNCHER=" + launcher);
  }
  CommandResult conf = run_command(configure, 60s);
  ASSERT_EQ(conf.exit_code, 0) << describe(conf);
  CommandResult built = run_command({HS_PACKAGE_CMAKE, "--build", build.string()}, 200s);
  ASSERT_EQ(built.exit_code, 0) << describe(built);

  const TestPki& pki = shared_test_pki();
  // The sans-IO example: both roles in one process, TLS 1.3 and TLS 1.2.
  CommandResult tls13 = run_command({(build / "memory_pair").string(), pki.ecdsa_cert.string(),
                                     pki.ecdsa_key.string(), pki.ca_cert.string(), "1.3"});
  ASSERT_EQ(tls13.exit_code, 0) << describe(tls13);
  EXPECT_NE(tls13.out.find("handshake: TLSv1.3 "), std::string::npos) << tls13.out;
  EXPECT_NE(tls13.out.find("server verified"), std::string::npos) << tls13.out;
  EXPECT_NE(tls13.out.find("server received: hello over TLS\n"), std::string::npos) << tls13.out;
  EXPECT_NE(tls13.out.find("client received: hello over TLS\n"), std::string::npos) << tls13.out;
  EXPECT_NE(tls13.out.find("closed: both sides"), std::string::npos) << tls13.out;

  CommandResult tls12 = run_command({(build / "memory_pair").string(), pki.rsa_cert.string(),
                                     pki.rsa_key.string(), pki.ca_cert.string(), "1.2"});
  ASSERT_EQ(tls12.exit_code, 0) << describe(tls12);
  EXPECT_NE(tls12.out.find("handshake: TLSv1.2 TLS_ECDHE_RSA_WITH_"), std::string::npos)
      << tls12.out;
  EXPECT_NE(tls12.out.find("client received: hello over TLS\n"), std::string::npos) << tls12.out;

  // The offloaded-signing example: the server's signature comes from another thread.
  for (const char* v : {"1.3", "1.2"}) {
    CommandResult off =
        run_command({(build / "offloaded_signing").string(), pki.ecdsa_cert.string(),
                     pki.ecdsa_key.string(), pki.ca_cert.string(), v});
    ASSERT_EQ(off.exit_code, 0) << describe(off);
    EXPECT_NE(off.out.find("server waits for a ecdsa_secp256r1_sha256 signature"),
              std::string::npos)
        << off.out;
    EXPECT_NE(off.out.find(std::string("handshake: TLSv") + v), std::string::npos) << off.out;
    EXPECT_NE(off.out.find("server verified, 1 offloaded signature(s)"), std::string::npos)
        << off.out;
  }

  // The blocking-socket example against our own server on loopback.
  ASSERT_TRUE(require_hs_binary());
  HsServerProcess server(HsServerProcess::cert_args(pki));
  ASSERT_NE(server.port(), 0) << server.output();
  CommandResult client = run_command({(build / "blocking_client").string(), "localhost",
                                      std::to_string(server.port()), pki.ca_cert.string(), "/"});
  ASSERT_EQ(client.exit_code, 0) << describe(client) << server.output();
  EXPECT_NE(client.out.find("connected: TLSv1.3 "), std::string::npos) << client.out;
  EXPECT_NE(client.out.find("response: HTTP/1.1 200"), std::string::npos) << client.out;
  CommandResult ldd = run_command({"ldd", (build / "blocking_client").string()});
  EXPECT_NE(ldd.out.find((prefix / "lib/libhandshake.so.").string()), std::string::npos) << ldd.out;

  // The server side of hs::Stream: stream_server answers our blocking_client (TLS 1.3) and
  // curl limited to TLS 1.2.
  ASSERT_TRUE(require_program("curl"));
  Process server2({(build / "stream_server").string(), pki.ecdsa_cert.string(),
                   pki.ecdsa_key.string(), "0", "2"});
  ASSERT_TRUE(server2.started()) << server2.error();
  std::string port;
  for (int i = 0; i < 500 && port.empty(); ++i) {
    const std::string out = server2.stdout_text();
    if (auto at = out.find("listening on ");
        at != std::string::npos && out.find('\n', at) != std::string::npos) {
      port = out.substr(at + 13, out.find('\n', at) - at - 13);
    } else {
      std::this_thread::sleep_for(10ms);
    }
  }
  ASSERT_FALSE(port.empty()) << server2.output();
  CommandResult ours = run_command(
      {(build / "blocking_client").string(), "localhost", port, pki.ca_cert.string(), "/ours"});
  ASSERT_EQ(ours.exit_code, 0) << describe(ours) << server2.output();
  EXPECT_NE(ours.out.find("connected: TLSv1.3 "), std::string::npos) << ours.out;
  EXPECT_NE(ours.out.find("response: HTTP/1.1 200 OK"), std::string::npos) << ours.out;
  CommandResult curl = run_command({"curl", "-sS", "--tlsv1.2", "--tls-max", "1.2", "--cacert",
                                    pki.ca_cert.string(), "https://localhost:" + port + "/curl"});
  ASSERT_EQ(curl.exit_code, 0) << describe(curl) << server2.output();
  EXPECT_EQ(curl.out, "hello over TLSv1.2\n");
  EXPECT_EQ(server2.wait(10s), 0) << server2.output();
  EXPECT_NE(server2.stdout_text().find("served: TLSv1.3 GET /ours HTTP/1.1"), std::string::npos)
      << server2.output();
  EXPECT_NE(server2.stdout_text().find("served: TLSv1.2 GET /curl HTTP/1.1"), std::string::npos)
      << server2.output();
}

// libhandshake.so exports the public API and nothing else: every defined dynamic symbol is a
// member, vtable or typeinfo of a class in include/hs, or a function declared there; none of
// the internal namespaces (detail, codec, record, handshake, x509, keyschedule, messages, io,
// trace, crypto beyond the two functions <hs/secret.h> declares) and no std:: instantiation.
TEST(Package, SharedLibraryExportsOnlyThePublicApi) {
  ASSERT_TRUE(require_program("nm"));
  CommandResult nm = run_command({"nm", "-D", "--defined-only", "-C", HS_PACKAGE_SHARED_LIB});
  ASSERT_EQ(nm.exit_code, 0) << describe(nm);
  const std::vector<std::string> internal = {
      "hs::detail::", "hs::codec::",       "hs::record::",     "hs::handshake::",
      "hs::x509::",   "hs::keyschedule::", "hs::messages::",   "hs::io::",
      "hs::trace::",  "hs::session::",     "hs::connection::", "hs::dissect::"};
  int symbols = 0;
  std::istringstream lines(nm.out);
  for (std::string line; std::getline(lines, line);) {
    // "0000000000012345 T hs::Stream::read(...)": the name starts after the type letter.
    const size_t at = line.find(' ', line.find(' ') + 1);
    ASSERT_NE(at, std::string::npos) << line;
    std::string name = line.substr(at + 1);
    if (name.starts_with("HANDSHAKE_")) {
      continue;  // the version node itself
    }
    ++symbols;
    for (const char* special : {"vtable for ", "typeinfo for ", "typeinfo name for "}) {
      if (name.starts_with(special)) {
        name = name.substr(std::string(special).size());
      }
    }
    // The qualified name, without the parameter list (whose types may be internal: the
    // private Connection(std::unique_ptr<hs::detail::ConnectionImpl>) constructor).
    name = name.substr(0, name.find('('));
    EXPECT_TRUE(name.starts_with("hs::")) << "not in namespace hs: " << line;
    for (const std::string& ns : internal) {
      EXPECT_EQ(name.find(ns), std::string::npos) << "internal symbol exported: " << line;
    }
    if (name.starts_with("hs::crypto::")) {
      EXPECT_TRUE(name == "hs::crypto::secure_wipe" || name == "hs::crypto::constant_time_equal")
          << line;
    }
  }
  // Not vacuous: the entry points an application calls are there.
  for (const char* api :
       {"hs::Stream::connect(", "hs::Stream::handshake(", "hs::Connection::client(",
        "hs::Connection::server(", "hs::make_default_verifier(", "hs::load_server_certificate(",
        "hs::TicketKeys::generate(", "hs::session_key[abi:cxx11](",
        "hs::certified_key_with_signer(", "hs::Connection::export_keying_material(",
        "hs::certified_key_for_offload(", "hs::Connection::provide_signature(",
        "hs::Acceptor::receive(", "hs::Acceptor::accept(", "vtable for hs::CertificateVerifier"}) {
    EXPECT_NE(nm.out.find(api), std::string::npos) << api << " is not exported";
  }
  EXPECT_GT(symbols, 50);
  EXPECT_LT(symbols, 1000) << "the shared library exports more than the public API";
}

TEST(Package, ExampleBuildsWithPkgConfigAgainstSharedLibrary) {
  ASSERT_TRUE(require_program("pkg-config"));
  TempDir tmp;
  const fs::path prefix = tmp / "prefix";
  ASSERT_TRUE(install(prefix));
  const std::string pc_path = "PKG_CONFIG_PATH=" + (prefix / "lib/pkgconfig").string();
  CommandResult flags =
      run_command({"env", pc_path, "pkg-config", "--cflags", "--libs", "handshake"});
  ASSERT_EQ(flags.exit_code, 0) << describe(flags);
  CommandResult version = run_command({"env", pc_path, "pkg-config", "--modversion", "handshake"});
  EXPECT_EQ(version.exit_code, 0) << describe(version);
  EXPECT_FALSE(version.out.empty());

  // pkg-config's flags, split on blanks, after the compiler and the source.
  const fs::path exe = tmp / "memory_pair_pc";
  std::vector<std::string> cmd = compiler_command();
  cmd.insert(cmd.end(),
             {"-std=c++20", (examples_dir() / "memory_pair.cc").string(), "-o", exe.string()});
  std::string word;
  for (char ch : flags.out + " ") {
    if (ch == ' ' || ch == '\n') {
      if (!word.empty()) {
        cmd.push_back(word);
      }
      word.clear();
    } else {
      word += ch;
    }
  }
  cmd.push_back("-Wl,-rpath," + (prefix / "lib").string());
  CommandResult built = run_command(cmd, 200s);
  ASSERT_EQ(built.exit_code, 0) << describe(built);

  // -lhandshake picks the shared library; the run proves it loads and works.
  CommandResult ldd = run_command({"ldd", exe.string()});
  EXPECT_NE(ldd.out.find((prefix / "lib/libhandshake.so.").string()), std::string::npos) << ldd.out;
  const TestPki& pki = shared_test_pki();
  CommandResult run = run_command(
      {exe.string(), pki.ecdsa_cert.string(), pki.ecdsa_key.string(), pki.ca_cert.string()});
  ASSERT_EQ(run.exit_code, 0) << describe(run);
  EXPECT_NE(run.out.find("client received: hello over TLS\n"), std::string::npos) << run.out;
}

}  // namespace
}  // namespace hs::test
