// PEM (RFC 7468) parsing and the certificate-chain / private-key loaders built on it.
// These take text: reading files is the job of tools/ and src/io/.
#pragma once

#include <hs/result.h>

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace hs::x509 {

// PemBlock is one "-----BEGIN <label>----- ... -----END <label>-----" block, decoded.
struct PemBlock {
  std::string label;
  std::vector<uint8_t> der;
};

// parse_pem returns every block of `text` in order; text outside blocks is ignored (RFC 7468
// §5.2 lets explanatory text surround them). Line ends may be LF or CRLF and trailing
// whitespace is ignored. Fails with ErrorCode::invalid_config on: a BEGIN without a matching
// END, an END without a BEGIN, nested BEGIN, mismatched labels, headers other than those of an
// encrypted key, a character outside the base64 alphabet, misplaced or missing padding,
// non-zero padding bits, or an empty body. Encrypted keys (label "ENCRYPTED PRIVATE KEY" or a
// "Proc-Type: 4,ENCRYPTED" header) are refused with context "private key".
Result<std::vector<PemBlock>> parse_pem(std::string_view text);

// base64_decode decodes standard base64 (RFC 4648 §4) with mandatory padding and canonical
// zero pad bits; nullopt on any other character or shape. Empty input decodes to nothing.
std::optional<std::vector<uint8_t>> base64_decode(std::string_view text);
// base64_encode is the inverse: standard alphabet, with padding (RFC 4648 §4).
std::string base64_encode(std::span<const uint8_t> bytes);

// load_certificate_chain_pem returns the DER of every CERTIFICATE block in order (leaf first,
// as the file lists them), skipping other blocks. Each is checked to parse as a certificate.
// Fails with invalid_config when there is no certificate or one does not parse.
Result<std::vector<std::vector<uint8_t>>> load_certificate_chain_pem(std::string_view text);

// load_private_key_pem returns the DER of the one private key in `text`: "PRIVATE KEY"
// (PKCS#8, RFC 5958), "RSA PRIVATE KEY" (PKCS#1) or "EC PRIVATE KEY" (RFC 5915), ready for
// crypto::Provider::parse_private_key. "EC PARAMETERS" and certificate blocks are skipped.
// Fails with invalid_config when there is no key, more than one, or the key is encrypted.
// The result is key material: the caller moves it into SecretBytes and wipes it; decoded blocks
// that are not returned are wiped here.
Result<std::vector<uint8_t>> load_private_key_pem(std::string_view text);

}  // namespace hs::x509
