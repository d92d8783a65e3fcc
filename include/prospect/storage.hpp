// prospect/storage.hpp — crash-safe file writing and whole-file reading.
#pragma once

#include <string>

namespace prospect {

/// Replaces the file at `path` with `content` atomically: after a crash at any
/// moment the file holds either its old content or the new one, never a mix.
/// Writes a temporary file in the same directory, flushes it to disk (fsync),
/// renames it over `path` and syncs the directory. The new file keeps the
/// permissions of the file it replaces (0644 for a new file). Throws IoError
/// naming the path and the system's reason on any failure; then the temporary
/// file is removed and the old file is untouched. O(content.size()). POSIX only.
void write_file_atomically(const std::string& path, const std::string& content);

/// The whole content of the file at `path`, byte for byte. Throws IoError naming
/// the path and the system's reason when it is missing, a directory or unreadable.
/// O(file size).
[[nodiscard]] std::string read_file(const std::string& path);

}  // namespace prospect
