// TempDir and small file helpers for tests.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace hs::test {

// TempDir creates a fresh private directory (mkdtemp under $TMPDIR, else /tmp, named
// hs-test-XXXXXX) and removes it with everything in it on destruction. Set HS_KEEP_TEMP=1 in
// the environment to keep it for debugging (its path is then printed to stderr). Throws
// std::runtime_error when the directory cannot be created. Movable, not copyable.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  TempDir(TempDir&& other) noexcept;
  TempDir& operator=(TempDir&& other) noexcept;

  // path returns the directory; empty after being moved from.
  const std::filesystem::path& path() const { return path_; }
  // operator/ returns path() / name (the file need not exist).
  std::filesystem::path operator/(std::string_view name) const { return path_ / name; }
  // write_file writes `contents` to path() / name, creating or truncating it, and returns the
  // path. Throws std::runtime_error on failure.
  std::filesystem::path write_file(std::string_view name, std::string_view contents) const;

 private:
  void remove();
  std::filesystem::path path_;
};

// read_file returns the whole content of `path`, or an empty string when it cannot be read.
std::string read_file(const std::filesystem::path& path);

}  // namespace hs::test
