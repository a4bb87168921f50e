#include "store/lmdb_checkpoint.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <stdexcept>

#include "store/file_io.hpp"

namespace kactor::store {

using namespace file_io;

namespace {

// LMDB 0.9's meta page: a 16-byte page header, then MDB_meta: magic, version, address, map
// size, two database records of 48 bytes, last page, transaction id.
constexpr size_t k_page_header_bytes = 16;   // page number, padding, flags, lower, upper
constexpr uint16_t k_meta_page_flag = 0x08;  // P_META
constexpr size_t k_meta_bytes = 136;
constexpr size_t k_txnid_offset = 128;
constexpr uint32_t k_lmdb_magic = 0xBEEFC0DE;
constexpr uint32_t k_lmdb_version = 1;

constexpr uint32_t k_file_magic = 0x50434B4B;  // "KKCP"
constexpr uint32_t k_file_version = 1;

bool looks_like_meta(std::string_view meta) {
  return meta.size() == k_meta_bytes && get_le(meta, 0, 4) == k_lmdb_magic &&
         get_le(meta, 4, 4) == k_lmdb_version;
}

std::runtime_error os_error(std::string_view what, const std::string& path) {
  return std::runtime_error("checkpoint: " + errno_message(what, path));
}

class file {
 public:
  file(const std::string& path, int flags) : path_(path), fd_(::open(path.c_str(), flags, 0600)) {
    if (fd_ < 0) throw os_error("cannot open", path);
  }
  ~file() { ::close(fd_); }
  file(const file&) = delete;
  file& operator=(const file&) = delete;

  std::string read_at(size_t offset, size_t size) const {
    auto bytes = pread_up_to(fd_, offset, size);
    if (!bytes) throw os_error("cannot read", path_);
    return std::move(*bytes);
  }
  void write_at(std::string_view bytes, size_t offset) const {
    if (!pwrite_all(fd_, bytes, offset)) throw os_error("cannot write", path_);
  }
  void sync() const {
    if (::fsync(fd_) != 0) throw os_error("cannot sync", path_);
  }

 private:
  std::string path_;
  int fd_;
};

}  // namespace

std::optional<std::string> capture_meta(int fd, uint32_t page_size, uint64_t txnid) {
  auto meta = pread_up_to(fd, (txnid & 1) * page_size + k_page_header_bytes, k_meta_bytes);
  if (!meta || !looks_like_meta(*meta) || get_le(*meta, k_txnid_offset, 8) != txnid)
    return std::nullopt;
  return meta;
}

uint64_t newest_meta_txnid(const std::string& data_file, uint32_t page_size) {
  file data(data_file, O_RDONLY | O_CLOEXEC);
  uint64_t newest = 0;
  for (size_t slot = 0; slot < 2; ++slot) {
    std::string meta = data.read_at(slot * page_size + k_page_header_bytes, k_meta_bytes);
    if (looks_like_meta(meta)) newest = std::max(newest, get_le(meta, k_txnid_offset, 8));
  }
  return newest;
}

std::string meta_page_header(uint64_t slot) {
  std::string header;
  put_le(header, slot, 8);
  put_le(header, 0, 2);
  put_le(header, k_meta_page_flag, 2);
  put_le(header, 0, 4);
  return header;
}

void restore_meta(const std::string& data_file, const lmdb_checkpoint& checkpoint) {
  if (!looks_like_meta(checkpoint.meta))
    throw std::runtime_error("checkpoint: the saved meta page is not LMDB's");
  file data(data_file, O_RDWR | O_CLOEXEC);
  for (uint64_t slot = 0; slot < 2; ++slot)
    data.write_at(meta_page_header(slot) + checkpoint.meta, slot * checkpoint.page_size);
  data.sync();
}

void write_checkpoint_file(const std::string& path, const lmdb_checkpoint& checkpoint) {
  std::string bytes;
  put_le(bytes, k_file_magic, 4);
  put_le(bytes, k_file_version, 4);
  put_le(bytes, checkpoint.txnid, 8);
  put_le(bytes, checkpoint.revision, 8);
  put_le(bytes, checkpoint.page_size, 4);
  put_le(bytes, checkpoint.meta.size(), 4);
  bytes += checkpoint.meta;
  put_le(bytes, crc32_of(bytes), 4);
  const std::string temporary = path + ".new";
  {
    file out(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC);
    out.write_at(bytes, 0);
    out.sync();
  }
  if (::rename(temporary.c_str(), path.c_str()) != 0) throw os_error("cannot rename", temporary);
  const std::string dir = std::filesystem::path(path).parent_path().string();
  if (!sync_directory(dir)) throw os_error("cannot sync", dir);
}

std::optional<lmdb_checkpoint> read_checkpoint_file(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return std::nullopt;
  std::string bytes = file(path, O_RDONLY | O_CLOEXEC).read_at(0, 64 * 1024);
  auto damaged = [&path] { return std::runtime_error("checkpoint: '" + path + "' is damaged"); };
  constexpr size_t k_fixed = 32;
  if (bytes.size() < k_fixed + 4 || get_le(bytes, 0, 4) != k_file_magic ||
      get_le(bytes, 4, 4) != k_file_version)
    throw damaged();
  size_t meta_size = get_le(bytes, 28, 4);
  if (bytes.size() != k_fixed + meta_size + 4) throw damaged();
  if (get_le(bytes, k_fixed + meta_size, 4) !=
      crc32_of(std::string_view(bytes).substr(0, k_fixed + meta_size)))
    throw damaged();
  lmdb_checkpoint checkpoint;
  checkpoint.txnid = get_le(bytes, 8, 8);
  checkpoint.revision = get_le(bytes, 16, 8);
  checkpoint.page_size = static_cast<uint32_t>(get_le(bytes, 24, 4));
  checkpoint.meta = bytes.substr(k_fixed, meta_size);
  if (!looks_like_meta(checkpoint.meta) ||
      get_le(checkpoint.meta, k_txnid_offset, 8) != checkpoint.txnid)
    throw damaged();
  return checkpoint;
}

}  // namespace kactor::store
