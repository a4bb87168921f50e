// Byte-level helpers for the store's own files (the write-ahead log and the checkpoint file):
// little-endian integers, CRC-32, whole writes and reads at an offset, directory syncs.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace kactor::store::file_io {

// Appends the low `width` bytes of `value`, least significant first.
void put_le(std::string& out, uint64_t value, int width);
// The `width`-byte little-endian integer at `at`; the bytes must be there.
uint64_t get_le(std::string_view bytes, size_t at, int width);

// zlib's CRC-32 of `bytes`, continuing from `crc` (0 to start).
uint32_t crc32_of(std::string_view bytes, uint32_t crc = 0);

// These return false (or nullopt) with errno set when the system call failed.
// Writes all of `bytes` at `offset`, retrying short writes and EINTR.
bool pwrite_all(int fd, std::string_view bytes, size_t offset);
// Up to `size` bytes at `offset`: fewer at the end of the file.
std::optional<std::string> pread_up_to(int fd, size_t offset, size_t size);
// The whole file at `path`.
std::optional<std::string> read_file(const std::string& path);
// Makes the directory's entries (a file created or renamed in it) durable.
bool sync_directory(const std::string& dir);

// "<what> '<path>': <strerror(errno)>".
std::string errno_message(std::string_view what, const std::string& path);

}  // namespace kactor::store::file_io
