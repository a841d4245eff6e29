// hs::Connection: the public face of detail::ConnectionImpl.
#include <hs/connection.h>

#include <utility>

#include "connection/connection_impl.h"

namespace hs {

Connection::Connection(std::unique_ptr<detail::ConnectionImpl> impl) : impl_(std::move(impl)) {}
Connection::~Connection() = default;

Result<std::unique_ptr<Connection>> Connection::client(std::shared_ptr<const ClientConfig> config,
                                                       std::string server_name) {
  return client(std::move(config), std::move(server_name), nullptr);
}

Result<std::unique_ptr<Connection>> Connection::client(std::shared_ptr<const ClientConfig> config,
                                                       std::string server_name,
                                                       Observer* observer) {
  if (!config) {
    return Error(ErrorCode::invalid_config, "client config", "no configuration");
  }
  HS_TRY(detail::check_client_config(*config));
  const crypto::Provider& provider =
      config->provider != nullptr ? *config->provider : crypto::default_provider();
  auto driver = detail::make_client_driver(config, std::move(server_name));
  if (!driver) {
    return Error(ErrorCode::internal_error, "client", "no client driver");
  }
  auto impl = std::make_unique<detail::ConnectionImpl>(true, provider, config->key_log,
                                                       std::move(driver), observer);
  impl->set_limits(config->limits);
  impl->set_key_update_after_records(config->key_update_after_records);
  HS_TRY(impl->start());
  return std::unique_ptr<Connection>(new Connection(std::move(impl)));
}

Result<void> Connection::receive(std::span<const uint8_t> data) { return impl_->receive(data); }
Result<void> Connection::receive_eof() { return impl_->receive_eof(); }
Result<size_t> Connection::receive_into(std::span<const uint8_t> data, std::span<uint8_t> out) {
  return impl_->receive_into(data, out);
}
std::span<const uint8_t> Connection::output() const { return impl_->output(); }
void Connection::consume_output(size_t n) { impl_->consume_output(n); }
bool Connection::is_handshaking() const { return impl_->is_handshaking(); }
bool Connection::is_connected() const { return impl_->is_connected(); }
bool Connection::peer_closed() const { return impl_->peer_closed(); }
bool Connection::failed() const { return impl_->failed(); }
size_t Connection::read(std::span<uint8_t> out) { return impl_->read(out); }
size_t Connection::readable() const { return impl_->readable(); }
Result<void> Connection::write(std::span<const uint8_t> data) { return impl_->write(data); }
void Connection::close() { impl_->close(); }
Result<size_t> Connection::write_early_data(std::span<const uint8_t> data) {
  return impl_->write_early_data(data);
}
size_t Connection::early_data_room() const { return impl_->early_data_room(); }
size_t Connection::read_early_data(std::span<uint8_t> out) { return impl_->read_early_data(out); }
size_t Connection::early_data_readable() const { return impl_->early_data_readable(); }
Result<SecretBytes> Connection::export_keying_material(
    std::string_view label, size_t length, std::optional<std::span<const uint8_t>> context) const {
  return impl_->export_keying_material(label, length, context);
}

Result<SecretBytes> Connection::export_early_keying_material(
    std::string_view label, size_t length, std::optional<std::span<const uint8_t>> context) const {
  return impl_->export_early_keying_material(label, length, context);
}

Result<void> Connection::key_update(bool request_peer_update) {
  return impl_->key_update(request_peer_update);
}

bool Connection::client_certificate_pending() const { return impl_->client_certificate_pending(); }

Result<void> Connection::request_client_certificate(ClientAuth mode) {
  return impl_->request_client_certificate(mode);
}
const SignatureRequest* Connection::signature_request() const { return impl_->signature_request(); }

Result<void> Connection::provide_signature(std::span<const uint8_t> signature) {
  return impl_->provide_signature(signature);
}

const SessionInfo& Connection::info() const { return impl_->session(); }
void Connection::set_observer(Observer* observer) { impl_->set_observer(observer); }

}  // namespace hs
