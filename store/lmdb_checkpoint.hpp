// Checkpoints of an LMDB environment that commits without syncing behind a write-ahead log.
//
// Such an environment's file is only consistent at a checkpoint: a transaction whose pages were
// all synced, kept intact afterwards by a read transaction held open (so LMDB reuses none of its
// pages) until the next checkpoint is durable. The commits after it may reach the disk in any
// order, meta pages included, so after a crash LMDB's newest meta page can name a tree that is
// not all there. Recovery therefore writes the checkpoint's meta page back into both meta slots
// and replays the log from the checkpoint's revision.
//
// This relies on the layout of LMDB's meta page (format version 1, every 0.9 release): it is
// captured and restored as bytes, and checked (magic, version, transaction id) on both sides.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace kactor::store {

struct lmdb_checkpoint {
  uint64_t txnid = 0;     // the LMDB transaction
  uint64_t revision = 0;  // the store revision it holds
  uint32_t page_size = 0;
  std::string meta;  // its meta page after the page header, as LMDB wrote it
};

// The meta of transaction `txnid`, read from the environment's data file (`fd`, LMDB's own);
// nullopt when its slot holds another transaction or does not look like an LMDB meta page.
std::optional<std::string> capture_meta(int fd, uint32_t page_size, uint64_t txnid);

// The highest transaction id of the two meta pages of an environment's data file.
uint64_t newest_meta_txnid(const std::string& data_file, uint32_t page_size);

// The page header LMDB gives meta page `slot` (0 or 1).
std::string meta_page_header(uint64_t slot);

// Writes the checkpoint's meta, under its page header, into both meta slots of the data file
// and syncs it. The environment must not be open.
void restore_meta(const std::string& data_file, const lmdb_checkpoint& checkpoint);

// The checkpoint file: written whole to a temporary name, synced, renamed and the directory
// synced, so it is either the old or the new one. read returns nullopt when there is none and
// throws when it is damaged.
void write_checkpoint_file(const std::string& path, const lmdb_checkpoint& checkpoint);
std::optional<lmdb_checkpoint> read_checkpoint_file(const std::string& path);

}  // namespace kactor::store
