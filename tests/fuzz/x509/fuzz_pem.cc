// fuzz_pem: feeds arbitrary text to the PEM parser and both loaders.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "x509/pem.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)hs::x509::parse_pem(text);
  (void)hs::x509::load_certificate_chain_pem(text);
  (void)hs::x509::load_private_key_pem(text);
  (void)hs::x509::base64_decode(text);
  return 0;
}
