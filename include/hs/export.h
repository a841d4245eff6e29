// HS_API marks a declaration as part of the public API: the one thing libhandshake.so exports.
// The library is built with -fvisibility=hidden -fvisibility-inlines-hidden, so everything
// without HS_API (the protocol, record layer, codec, key schedule, X.509 internals) stays inside
// the shared library; the static library is unaffected. Applications never need to use it.
#pragma once

#if defined(__GNUC__) || defined(__clang__)
#define HS_API __attribute__((visibility("default")))
#else
#define HS_API
#endif
