// Result<T>: a value or an Error. Protocol errors are never exceptions.
#pragma once

#include <hs/error.h>

#include <cassert>
#include <type_traits>
#include <utility>
#include <variant>

namespace hs {

// Result holds either a T or an Error. Accessing the wrong alternative is a programming error
// (asserted in debug builds).
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::in_place_index<0>, std::move(value)) {}  // NOLINT: implicit by design
  Result(Error error) : v_(std::in_place_index<1>, std::move(error)) {}  // NOLINT
  // clang-format 14 and 16 lay out requires-clauses differently; this one is kept as 16 does.
  // clang-format off
  template <typename U>
    requires(std::is_constructible_v<T, U &&> && !std::is_same_v<std::decay_t<U>, T> &&
             !std::is_same_v<std::decay_t<U>, Error> && !std::is_same_v<std::decay_t<U>, Result<T>>)
  Result(U&& value) : v_(std::in_place_index<0>, std::forward<U>(value)) {}  // NOLINT
  // clang-format on

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & {
    assert(ok());
    return std::get<0>(v_);
  }
  const T& value() const& {
    assert(ok());
    return std::get<0>(v_);
  }
  T&& value() && {
    assert(ok());
    return std::get<0>(std::move(v_));
  }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }

  const Error& error() const& {
    assert(!ok());
    return std::get<1>(v_);
  }
  Error&& error() && {
    assert(!ok());
    return std::get<1>(std::move(v_));
  }

 private:
  std::variant<T, Error> v_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)) {}  // NOLINT

  bool ok() const { return !error_.has_value(); }
  explicit operator bool() const { return ok(); }
  void value() const { assert(ok()); }
  const Error& error() const& {
    assert(!ok());
    return *error_;
  }
  Error&& error() && {
    assert(!ok());
    return std::move(*error_);
  }

 private:
  std::optional<Error> error_;
};

// ok_result is the successful Result<void>.
inline Result<void> ok_result() { return {}; }

}  // namespace hs

// HS_TRY(expr) evaluates a Result; on error it returns the Error from the enclosing function,
// otherwise it yields the value (GNU statement expression; gcc and clang both accept it).
#define HS_TRY(expr)                            \
  ({                                            \
    auto&& hs_try_result_ = (expr);             \
    if (!hs_try_result_.ok()) {                 \
      return std::move(hs_try_result_).error(); \
    }                                           \
    std::move(hs_try_result_).value();          \
  })
