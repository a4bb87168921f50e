#include "store/lmdb_checkpoint.hpp"

#include <fcntl.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <stdexcept>

namespace kactor::store {
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

uint64_t load_le(const char* p, int width) {
  uint64_t v = 0;
  for (int i = width - 1; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(p[i]);
  return v;
}

void store_le(std::string& out, uint64_t v, int width) {
  for (int i = 0; i < width; ++i) out.push_back(static_cast<char>(v >> (8 * i)));
}

bool looks_like_meta(std::string_view meta) {
  return meta.size() == k_meta_bytes && load_le(meta.data(), 4) == k_lmdb_magic &&
         load_le(meta.data() + 4, 4) == k_lmdb_version;
}

std::runtime_error os_error(std::string_view what, const std::string& path) {
  return std::runtime_error("checkpoint: " + std::string(what) + " '" + path +
                            "': " + std::strerror(errno));
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
    std::string out(size, '\0');
    size_t done = 0;
    while (done < size) {
      ssize_t n = ::pread(fd_, out.data() + done, size - done, static_cast<off_t>(offset + done));
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) throw os_error("cannot read", path_);
      if (n == 0) break;
      done += static_cast<size_t>(n);
    }
    out.resize(done);
    return out;
  }
  void write_at(std::string_view bytes, size_t offset) const {
    while (!bytes.empty()) {
      ssize_t n = ::pwrite(fd_, bytes.data(), bytes.size(), static_cast<off_t>(offset));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) throw os_error("cannot write", path_);
      bytes.remove_prefix(static_cast<size_t>(n));
      offset += static_cast<size_t>(n);
    }
  }
  void sync() const {
    if (::fsync(fd_) != 0) throw os_error("cannot sync", path_);
  }

 private:
  std::string path_;
  int fd_;
};

void sync_directory(const std::string& dir) {
  file(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC).sync();
}

}  // namespace

std::optional<std::string> capture_meta(int fd, uint32_t page_size, uint64_t txnid) {
  std::string meta(k_meta_bytes, '\0');
  off_t offset = static_cast<off_t>((txnid & 1) * page_size + k_page_header_bytes);
  if (::pread(fd, meta.data(), meta.size(), offset) != static_cast<ssize_t>(meta.size()) ||
      !looks_like_meta(meta) || load_le(meta.data() + k_txnid_offset, 8) != txnid)
    return std::nullopt;
  return meta;
}

uint64_t newest_meta_txnid(const std::string& data_file, uint32_t page_size) {
  file data(data_file, O_RDONLY | O_CLOEXEC);
  uint64_t newest = 0;
  for (size_t slot = 0; slot < 2; ++slot) {
    std::string meta = data.read_at(slot * page_size + k_page_header_bytes, k_meta_bytes);
    if (looks_like_meta(meta)) newest = std::max(newest, load_le(meta.data() + k_txnid_offset, 8));
  }
  return newest;
}

std::string meta_page_header(uint64_t slot) {
  std::string header;
  store_le(header, slot, 8);
  store_le(header, 0, 2);
  store_le(header, k_meta_page_flag, 2);
  store_le(header, 0, 4);
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
  store_le(bytes, k_file_magic, 4);
  store_le(bytes, k_file_version, 4);
  store_le(bytes, checkpoint.txnid, 8);
  store_le(bytes, checkpoint.revision, 8);
  store_le(bytes, checkpoint.page_size, 4);
  store_le(bytes, checkpoint.meta.size(), 4);
  bytes += checkpoint.meta;
  uLong crc =
      crc32(0, reinterpret_cast<const Bytef*>(bytes.data()), static_cast<uInt>(bytes.size()));
  store_le(bytes, crc, 4);
  const std::string temporary = path + ".new";
  {
    file out(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC);
    out.write_at(bytes, 0);
    out.sync();
  }
  if (::rename(temporary.c_str(), path.c_str()) != 0) throw os_error("cannot rename", temporary);
  sync_directory(std::filesystem::path(path).parent_path().string());
}

std::optional<lmdb_checkpoint> read_checkpoint_file(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return std::nullopt;
  std::string bytes = file(path, O_RDONLY | O_CLOEXEC).read_at(0, 64 * 1024);
  auto damaged = [&path] { return std::runtime_error("checkpoint: '" + path + "' is damaged"); };
  constexpr size_t k_fixed = 32;
  if (bytes.size() < k_fixed + 4 || load_le(bytes.data(), 4) != k_file_magic ||
      load_le(bytes.data() + 4, 4) != k_file_version)
    throw damaged();
  size_t meta_size = load_le(bytes.data() + 28, 4);
  if (bytes.size() != k_fixed + meta_size + 4) throw damaged();
  uLong crc = crc32(0, reinterpret_cast<const Bytef*>(bytes.data()),
                    static_cast<uInt>(k_fixed + meta_size));
  if (load_le(bytes.data() + k_fixed + meta_size, 4) != (crc & 0xFFFFFFFFu)) throw damaged();
  lmdb_checkpoint checkpoint;
  checkpoint.txnid = load_le(bytes.data() + 8, 8);
  checkpoint.revision = load_le(bytes.data() + 16, 8);
  checkpoint.page_size = static_cast<uint32_t>(load_le(bytes.data() + 24, 4));
  checkpoint.meta = bytes.substr(k_fixed, meta_size);
  if (!looks_like_meta(checkpoint.meta) ||
      load_le(checkpoint.meta.data() + k_txnid_offset, 8) != checkpoint.txnid)
    throw damaged();
  return checkpoint;
}

}  // namespace kactor::store
