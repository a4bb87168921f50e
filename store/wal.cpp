#include "store/wal.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <stdexcept>
#include <utility>

#include "store/file_io.hpp"

namespace kactor::store {

using namespace file_io;

namespace {

// Record layout, little-endian: magic, payload length, segment seq, revision, crc32 of seq,
// revision and payload; then the payload: mutation count, and per mutation its op (1 byte),
// key length, key, value length, value.
constexpr uint32_t k_magic = 0x4C41574B;  // "KWAL"
constexpr size_t k_header_bytes = 28;
constexpr size_t k_max_spares = 4;
constexpr std::string_view k_suffix = ".wal";

std::string os_error(std::string_view what, const std::string& path) {
  return "wal: " + errno_message(what, path);
}

// Reads the payload's mutations; false when the payload is malformed.
bool decode_mutations(std::string_view payload, std::vector<mutation>& out) {
  size_t at = 0;
  auto take_u32 = [&](uint32_t& v) {
    if (payload.size() - at < 4) return false;
    v = static_cast<uint32_t>(get_le(payload, at, 4));
    at += 4;
    return true;
  };
  auto take_bytes = [&](std::string& s) {
    uint32_t n = 0;
    if (!take_u32(n) || payload.size() - at < n) return false;
    s.assign(payload.substr(at, n));
    at += n;
    return true;
  };
  uint32_t count = 0;
  if (!take_u32(count)) return false;
  for (uint32_t i = 0; i < count; ++i) {
    if (at >= payload.size()) return false;
    mutation m;
    m.operation = payload[at++] == 0 ? mutation::op::put : mutation::op::erase;
    if (!take_bytes(m.key) || !take_bytes(m.value)) return false;
    out.push_back(std::move(m));
  }
  return at == payload.size();
}

// The intact records of one segment's bytes, in order, and where the last one ends.
std::vector<wal_record> parse_segment(std::string_view bytes, uint64_t seq, size_t& end) {
  std::vector<wal_record> records;
  end = 0;
  while (bytes.size() - end >= k_header_bytes) {
    std::string_view header = bytes.substr(end, k_header_bytes);
    uint64_t length = get_le(header, 4, 4);
    if (get_le(header, 0, 4) != k_magic || get_le(header, 8, 8) != seq ||
        bytes.size() - end - k_header_bytes < length)
      break;
    std::string_view checked = bytes.substr(end + 8, 16 + length);
    std::string_view payload = bytes.substr(end + k_header_bytes, length);
    uint32_t crc = crc32_of(payload, crc32_of(checked.substr(0, 16)));
    wal_record record;
    record.revision = get_le(header, 16, 8);
    if (crc != get_le(header, 24, 4) || !decode_mutations(payload, record.mutations)) break;
    records.push_back(std::move(record));
    end += k_header_bytes + length;
  }
  return records;
}

// Writes the whole segment once, so that appending into it later allocates no blocks and never
// changes the file's size: a record's fdatasync writes its data (and, on ext4 without a journal,
// the inode block when the write changed the mtime, at most once per clock tick).
bool fill_with_zeros(int fd, size_t bytes) {
  static const std::string zeros(1 << 20, '\0');
  for (size_t offset = 0; offset < bytes; offset += zeros.size()) {
    size_t n = std::min(zeros.size(), bytes - offset);
    if (!pwrite_all(fd, std::string_view(zeros).substr(0, n), offset)) return false;
  }
  return ::fsync(fd) == 0;
}

// Segment sequence numbers found in the directory, ascending.
std::vector<uint64_t> segment_seqs(const std::string& dir) {
  std::vector<uint64_t> seqs;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    std::string name = entry.path().filename().string();
    if (name.size() != 16 + k_suffix.size() || !name.ends_with(k_suffix)) continue;
    uint64_t seq = 0;
    auto [end, ec] = std::from_chars(name.data(), name.data() + 16, seq, 16);
    if (ec == std::errc() && end == name.data() + 16) seqs.push_back(seq);
  }
  std::sort(seqs.begin(), seqs.end());
  return seqs;
}

}  // namespace

std::string encode_wal_record(uint64_t segment_seq, uint64_t revision,
                              const std::vector<mutation>& mutations) {
  size_t size = k_header_bytes + 4;
  for (const auto& m : mutations) size += 9 + m.key.size() + m.value.size();
  std::string out;
  out.reserve(size);
  put_le(out, k_magic, 4);
  put_le(out, 0, 4);  // payload length, set below
  put_le(out, segment_seq, 8);
  put_le(out, revision, 8);
  put_le(out, 0, 4);  // crc, set below
  put_le(out, mutations.size(), 4);
  for (const auto& m : mutations) {
    out.push_back(m.operation == mutation::op::put ? 0 : 1);
    put_le(out, m.key.size(), 4);
    out += m.key;
    put_le(out, m.value.size(), 4);
    out += m.value;
  }
  std::string length;
  put_le(length, out.size() - k_header_bytes, 4);
  out.replace(4, 4, length);
  const std::string_view whole(out);
  std::string crc;
  put_le(crc, crc32_of(whole.substr(k_header_bytes), crc32_of(whole.substr(8, 16))), 4);
  out.replace(24, 4, crc);
  return out;
}

write_ahead_log::write_ahead_log(std::string dir, size_t segment_bytes, sync_function sync)
    : dir_(std::move(dir)), segment_bytes_(segment_bytes), sync_(std::move(sync)) {
  if (!sync_) sync_ = [](int fd) { return ::fdatasync(fd); };
  std::error_code ec;
  std::filesystem::create_directories(dir_, ec);
  if (ec) throw std::runtime_error("wal: cannot create directory '" + dir_ + "': " + ec.message());
  for (uint64_t seq : segment_seqs(dir_)) {
    segments_.push_back({seq, 0});
    next_seq_ = seq + 1;
  }
}

write_ahead_log::~write_ahead_log() {
  if (fd_ >= 0) ::close(fd_);
}

std::string write_ahead_log::path_of(uint64_t seq) const {
  char name[32];
  std::snprintf(name, sizeof name, "%016llx", static_cast<unsigned long long>(seq));
  return dir_ + "/" + name + std::string(k_suffix);
}

std::vector<wal_record> write_ahead_log::read_after(uint64_t after) {
  std::vector<wal_record> out;
  uint64_t last = after;
  for (auto& seg : segments_) {
    size_t end = 0;
    const std::string path = path_of(seg.seq);
    auto bytes = read_file(path);
    if (!bytes) throw std::runtime_error(os_error("cannot read", path));
    for (auto& record : parse_segment(*bytes, seg.seq, end)) {
      seg.last_revision = std::max(seg.last_revision, record.revision);
      if (record.revision <= last) continue;
      last = record.revision;
      out.push_back(std::move(record));
    }
  }
  return out;
}

bool write_ahead_log::open_next_segment(std::string& error) {
  uint64_t seq = next_seq_;
  std::string path = path_of(seq);
  if (!spares_.empty()) {
    if (::rename(path_of(spares_.back()).c_str(), path.c_str()) != 0) {
      error = os_error("cannot recycle a segment as", path);
      return false;
    }
    spares_.pop_back();
  }
  bool recycled = std::filesystem::exists(path);
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) {
    error = os_error("cannot open", path);
    return false;
  }
  if (!recycled && !fill_with_zeros(fd, segment_bytes_)) {
    error = os_error("cannot preallocate", path);
    ::close(fd);
    return false;
  }
  // The new name must be durable before records in it are acknowledged.
  if (!sync_directory(dir_)) {
    error = os_error("cannot sync directory", dir_);
    ::close(fd);
    return false;
  }
  if (fd_ >= 0) ::close(fd_);
  fd_ = fd;
  offset_ = 0;
  ++next_seq_;
  segments_.push_back({seq, 0});
  return true;
}

bool write_ahead_log::write(uint64_t revision, const std::vector<mutation>& mutations,
                            std::string& error) {
  if (unsynced_bytes_ != 0) throw std::logic_error("wal: a record written before the last synced");
  if (fd_ < 0 || offset_ >= segment_bytes_) {
    if (!open_next_segment(error)) return false;
  }
  size_t payload = 4;
  for (const auto& m : mutations) payload += 9 + m.key.size() + m.value.size();
  if (payload > UINT32_MAX) {  // the record's length field
    error = "wal: a batch of " + std::to_string(payload) + " bytes is too large for one record";
    return false;
  }
  std::string bytes = encode_wal_record(segments_.back().seq, revision, mutations);
  if (!pwrite_all(fd_, bytes, offset_)) {
    error = os_error("cannot write a record to", path_of(segments_.back().seq));
    void_record();
    return false;
  }
  // Only a head start for the device; sync() waits for the writeback and reports its errors.
  ::sync_file_range(fd_, static_cast<off_t>(offset_), static_cast<off_t>(bytes.size()),
                    SYNC_FILE_RANGE_WRITE);
  unsynced_bytes_ = bytes.size();
  unsynced_revision_ = revision;
  return true;
}

bool write_ahead_log::sync(std::string& error) {
  if (unsynced_bytes_ == 0) return true;
  const size_t bytes = std::exchange(unsynced_bytes_, 0);
  if (sync_(fd_) != 0) {
    error = os_error("cannot sync a record of", path_of(segments_.back().seq));
    void_record();
    return false;
  }
  offset_ += bytes;
  segments_.back().last_revision = unsynced_revision_;
  return true;
}

// Best effort: a record that failed must not be replayed if its bytes reach the disk later.
void write_ahead_log::void_record() {
  static const char zeros[k_header_bytes] = {};
  pwrite_all(fd_, std::string_view(zeros, sizeof zeros), offset_);
}

void write_ahead_log::release(uint64_t revision) {
  size_t keep = fd_ >= 0 ? 1 : 0;  // the segment being written
  while (segments_.size() > keep && segments_.front().last_revision <= revision) {
    uint64_t seq = segments_.front().seq;
    segments_.pop_front();
    if (spares_.size() < k_max_spares)
      spares_.push_back(seq);
    else
      ::unlink(path_of(seq).c_str());
  }
}

}  // namespace kactor::store
