// Connection::server lives in its own file so that binaries which only make clients do not
// need the server state machine linked in.
#include <hs/connection.h>

#include <utility>

#include "connection/connection_impl.h"

namespace hs {

Result<std::unique_ptr<Connection>> Connection::server(std::shared_ptr<const ServerConfig> config) {
  if (!config) {
    return Error(ErrorCode::invalid_config, "server config", "no configuration");
  }
  HS_TRY(detail::check_server_config(*config));
  const crypto::Provider& provider =
      config->provider != nullptr ? *config->provider : crypto::default_provider();
  auto driver = detail::make_server_driver(config);
  if (!driver) {
    return Error(ErrorCode::internal_error, "server", "no server driver");
  }
  auto impl = std::make_unique<detail::ConnectionImpl>(false, provider, config->key_log,
                                                       std::move(driver), nullptr);
  impl->set_limits(config->limits);
  impl->set_key_update_after_records(config->key_update_after_records);
  HS_TRY(impl->start());
  return std::unique_ptr<Connection>(new Connection(std::move(impl)));
}

}  // namespace hs
