// Shared helpers for the message parsers and serializers (internal to src/messages/).
#pragma once

#include <hs/error.h>
#include <hs/result.h>

#include "codec/writer.h"

namespace hs::messages::detail {

// malformed is the error every parser returns for bytes that do not match the RFC grammar
// (truncated, over-long, bad length prefix, trailing bytes, vectors below the minimum).
inline Error malformed(const char* context) { return Error(ErrorCode::decode_error, context); }

// forbidden is the error for a well-formed but forbidden value, used only where the RFC names
// "illegal_parameter".
inline Error forbidden(const char* context) { return Error(ErrorCode::illegal_parameter, context); }

// unencodable is the error serializers return when a field does not fit its vector bounds.
inline Error unencodable(const char* context) { return Error(ErrorCode::internal_error, context); }

// finish turns a writer's state into the serializer's result.
inline Result<void> finish(const codec::Writer& w, const char* context) {
  if (!w.ok()) {
    return unencodable(context);
  }
  return ok_result();
}

}  // namespace hs::messages::detail
