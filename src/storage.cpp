// Atomic file replacement (write temporary, fsync, rename, fsync directory) and reading.
#include "prospect/storage.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "prospect/errors.hpp"

namespace prospect {

namespace {

std::string reason(int error) {
  return std::strerror(error);
}

// Closes a descriptor on scope exit unless released.
struct Descriptor {
  int fd = -1;
  ~Descriptor() {
    if (fd >= 0) ::close(fd);
  }
  int release() {
    const int f = fd;
    fd = -1;
    return f;
  }
};

void write_all(int fd, const std::string& content, const std::string& temporary) {
  const char* data = content.data();
  std::size_t left = content.size();
  while (left > 0) {
    const ssize_t n = ::write(fd, data, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw IoError("writing " + temporary + ": " + reason(errno));
    }
    data += n;
    left -= static_cast<std::size_t>(n);
  }
}

}  // namespace

void write_file_atomically(const std::string& path, const std::string& content) {
  if (path.empty()) throw IoError("write_file_atomically: got an empty path, expected a file path");
  const std::filesystem::path target(path);
  const std::filesystem::path directory =
      target.has_parent_path() ? target.parent_path() : std::filesystem::path(".");
  std::string temporary =
      (directory / (std::string(".") + target.filename().string() + ".tmp.XXXXXX")).string();

  std::vector<char> name(temporary.begin(), temporary.end());
  name.push_back('\0');
  Descriptor file{::mkstemp(name.data())};
  if (file.fd < 0) {
    throw IoError("cannot write " + path + ": creating a temporary file in " + directory.string() +
                  " failed: " + reason(errno));
  }
  temporary = name.data();
  try {
    // Keep the permissions of the file being replaced; mkstemp makes 0600.
    struct stat existing {};
    const mode_t mode = ::stat(path.c_str(), &existing) == 0 ? (existing.st_mode & 07777) : 0644;
    if (::fchmod(file.fd, mode) != 0)
      throw IoError("setting permissions of " + temporary + ": " + reason(errno));
    write_all(file.fd, content, temporary);
    if (::fsync(file.fd) != 0)
      throw IoError("flushing " + temporary + " to disk: " + reason(errno));
    if (::close(file.release()) != 0) throw IoError("closing " + temporary + ": " + reason(errno));
    if (::rename(temporary.c_str(), path.c_str()) != 0) {
      throw IoError("renaming " + temporary + " over it: " + reason(errno));
    }
  } catch (const IoError& e) {
    ::unlink(temporary.c_str());
    throw IoError(std::string("cannot write ") + path + " (left unchanged): " + e.what());
  }
  // Make the rename itself durable. Some file systems cannot sync a directory
  // (EINVAL): the data is then as safe as they allow.
  Descriptor dir{::open(directory.c_str(), O_RDONLY | O_DIRECTORY)};
  if (dir.fd >= 0 && ::fsync(dir.fd) != 0 && errno != EINVAL && errno != ENOTSUP) {
    throw IoError("wrote " + path + " but syncing its directory " + directory.string() +
                  " failed: " + reason(errno));
  }
}

std::string read_file(const std::string& path) {
  Descriptor file{::open(path.c_str(), O_RDONLY)};
  if (file.fd < 0) throw IoError("cannot read " + path + ": " + reason(errno));
  struct stat info {};
  if (::fstat(file.fd, &info) != 0) throw IoError("cannot read " + path + ": " + reason(errno));
  if (S_ISDIR(info.st_mode)) throw IoError("cannot read " + path + ": " + reason(EISDIR));
  std::string content;
  if (info.st_size > 0) content.reserve(static_cast<std::size_t>(info.st_size));
  char buffer[65536];
  for (;;) {
    const ssize_t n = ::read(file.fd, buffer, sizeof buffer);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw IoError("cannot read " + path + ": " + reason(errno));
    }
    if (n == 0) break;
    content.append(buffer, static_cast<std::size_t>(n));
  }
  return content;
}

}  // namespace prospect
