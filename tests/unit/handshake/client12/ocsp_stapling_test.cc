// The TLS 1.2 client's side of OCSP stapling (RFC 6066 §8; ClientConfig::ocsp_stapling)
// against the scripted server: what may answer a status_request, and the alert for each way a
// server gets it wrong. Verification of a well-formed response is tested in
// tests/unit/x509/ocsp_verify_test.cc and end to end in tests/unit/connection/.
#include <gtest/gtest.h>
#include <hs/connection.h>

#include "messages/certificate_status.h"
#include "unit/handshake/common/client_harness.h"

namespace hs::testing {
namespace {

std::shared_ptr<ClientConfig> stapling_config(ClientConfig::OcspStapling mode) {
  auto config = insecure_config();
  config->max_version = ProtocolVersion::tls1_2;
  config->ocsp_stapling = mode;
  return config;
}

// status_message is a raw CertificateStatus handshake message with `body`.
Bytes status_message(const Bytes& body) {
  Bytes raw = {static_cast<uint8_t>(HandshakeType::certificate_status), 0,
               static_cast<uint8_t>(body.size() >> 8), static_cast<uint8_t>(body.size())};
  raw.insert(raw.end(), body.begin(), body.end());
  return raw;
}

// ocsp_body is CertificateStatus{ocsp, response} (RFC 6066 §8).
Bytes ocsp_body(const Bytes& response) {
  Bytes body;
  EXPECT_TRUE(messages::serialize(messages::CertificateStatus{response}, body).ok());
  return body;
}

// acking_server_hello is the ServerHello with an empty status_request (the server will staple).
Bytes acking_server_hello(ClientHarness& h, const Bytes& ext_data = {}) {
  h.server.extra_extensions.push_back({ExtensionType::status_request, ext_data});
  return h.server.handshake_record(h.server.server_hello());
}

bool offers_status_request(ClientHarness& h) {
  return messages::find_extension(h.server.client_hello().extensions,
                                  ExtensionType::status_request) != nullptr;
}

TEST(ClientOcsp12, OffersStatusRequestOnlyWhenConfigured) {
  ClientHarness off(insecure_config());
  EXPECT_FALSE(offers_status_request(off));
  ClientHarness on(stapling_config(ClientConfig::OcspStapling::request));
  ASSERT_TRUE(offers_status_request(on));
  // RFC 6066 §8: status_type ocsp(1), an empty responder_id_list and no request_extensions.
  const auto* ext =
      messages::find_extension(on.server.client_hello().extensions, ExtensionType::status_request);
  EXPECT_EQ(ext->data, (Bytes{1, 0, 0, 0, 0}));
}

// RFC 5246 §7.4.1.4: an extension "that it did not request ... MUST abort the handshake with an
// unsupported_extension fatal alert."
TEST(ClientOcsp12, StatusRequestAckWithoutOfferIsUnsupportedExtension) {
  ClientHarness h(insecure_config());
  h.expect_refusal(acking_server_hello(h), ErrorCode::unsolicited_extension,
                   AlertDescription::unsupported_extension);
}

// RFC 6066 §8: the server's status_request has "empty extension_data".
TEST(ClientOcsp12, NonEmptyStatusRequestAckIsDecodeError) {
  ClientHarness h(stapling_config(ClientConfig::OcspStapling::request));
  h.expect_refusal(acking_server_hello(h, {1}), ErrorCode::decode_error,
                   AlertDescription::decode_error);
}

// RFC 6066 §8: "If a server returns a "CertificateStatus" message, then the server MUST have
// included an extension of type "status_request"": without it the message is out of place.
TEST(ClientOcsp12, CertificateStatusWithoutAckIsUnexpectedMessage) {
  ClientHarness h(stapling_config(ClientConfig::OcspStapling::request));
  ASSERT_TRUE(h.to_client(h.server.handshake_record(h.server.server_hello())).ok());
  ASSERT_TRUE(h.to_client(h.server.handshake_record(h.server.certificate())).ok());
  h.expect_refusal(h.server.handshake_record(status_message(ocsp_body({0x30, 0x00}))),
                   ErrorCode::unexpected_message, AlertDescription::unexpected_message);
}

TEST(ClientOcsp12, MalformedCertificateStatusIsDecodeError) {
  // status_type 2 is not ocsp; a response length beyond the body.
  for (const Bytes& body : {Bytes{2, 0, 0, 1, 0x30}, Bytes{1, 0, 0, 9, 0x30}}) {
    ClientHarness h(stapling_config(ClientConfig::OcspStapling::request));
    ASSERT_TRUE(h.to_client(acking_server_hello(h)).ok());
    ASSERT_TRUE(h.to_client(h.server.handshake_record(h.server.certificate())).ok());
    h.expect_refusal(h.server.handshake_record(status_message(body)), ErrorCode::decode_error,
                     AlertDescription::decode_error);
  }
}

// RFC 6066 §8: the client "MUST check the OCSP response and abort the handshake if the response
// is not satisfactory with bad_certificate_status_response(113) alert."
TEST(ClientOcsp12, UnsatisfactoryResponseIsBadCertificateStatusResponse) {
  ClientHarness h(stapling_config(ClientConfig::OcspStapling::request));
  ASSERT_TRUE(h.to_client(acking_server_hello(h)).ok());
  ASSERT_TRUE(h.to_client(h.server.handshake_record(h.server.certificate())).ok());
  h.expect_refusal(h.server.handshake_record(status_message(ocsp_body({0x30, 0x00}))),
                   ErrorCode::bad_certificate_status,
                   AlertDescription::bad_certificate_status_response);
}

// RFC 6066 §8: a server "MAY also choose not to send" the CertificateStatus: `request` carries
// on, `require` (curl --cert-status) refuses with "No OCSP response received".
TEST(ClientOcsp12, MissingCertificateStatusIsRefusedOnlyWhenRequired) {
  {
    ClientHarness h(stapling_config(ClientConfig::OcspStapling::request));
    h.server.extra_extensions.push_back({ExtensionType::status_request, {}});
    h.handshake();
    EXPECT_TRUE(h.client->info().ocsp_response.empty());
  }
  ClientHarness h(stapling_config(ClientConfig::OcspStapling::require));
  ASSERT_TRUE(h.to_client(acking_server_hello(h)).ok());
  ASSERT_TRUE(h.to_client(h.server.handshake_record(h.server.certificate())).ok());
  auto r = h.to_client(h.server.handshake_record(h.server.server_key_exchange()));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::bad_certificate_status);
  EXPECT_EQ(r.error().detail(), "No OCSP response received");
  EXPECT_EQ(r.error().alert(), AlertDescription::bad_certificate_status_response);
}

}  // namespace
}  // namespace hs::testing
