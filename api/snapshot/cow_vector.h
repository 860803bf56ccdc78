#pragma once
// A growable vector whose published copies are cheap and immutable, for the
// API's snapshots of ever-growing histories (orders, fills, audit events).
//
// Elements live in fixed-size chunks held by shared_ptr. freeze() hands out a
// Frozen view sharing every chunk; a later write to a shared chunk copies
// that chunk only (256 pointers), so publishing a snapshot costs O(chunks
// changed + size / 256), not O(size), however long the daemon runs. The
// writer is single-threaded (engine thread); Frozen views are read from any
// thread.
#include <cstddef>
#include <memory>
#include <vector>

namespace td::api {

template <class T>
class CowVector {
 public:
  static constexpr std::size_t kChunk = 256;
  using Chunk = std::vector<std::shared_ptr<const T>>;

  class Frozen {
   public:
    Frozen() = default;
    std::size_t size() const { return size_; }
    bool empty() const { return size_ == 0; }
    // nullptr when i >= size() (or the slot was never set).
    const T* at(std::size_t i) const { return ptr_ref(i).get(); }
    std::shared_ptr<const T> ptr(std::size_t i) const { return ptr_ref(i); }

   private:
    friend class CowVector;
    const std::shared_ptr<const T>& ptr_ref(std::size_t i) const {
      static const std::shared_ptr<const T> kNull;
      if (i >= size_) return kNull;
      const Chunk& chunk = *chunks_[i / kChunk];
      return i % kChunk < chunk.size() ? chunk[i % kChunk] : kNull;
    }
    std::vector<std::shared_ptr<const Chunk>> chunks_;
    std::size_t size_ = 0;
  };

  std::size_t size() const { return size_; }

  void push_back(std::shared_ptr<const T> v) { set(size_, std::move(v)); }

  // i <= size(): replaces element i, or appends when i == size(). Writing
  // further (a gap) fills the gap with nulls.
  void set(std::size_t i, std::shared_ptr<const T> v) {
    while (i / kChunk >= chunks_.size()) {
      chunks_.push_back(std::make_shared<Chunk>());
      chunks_.back()->reserve(kChunk);
      shared_.push_back(false);
    }
    const std::size_t c = i / kChunk;
    if (shared_[c]) {
      chunks_[c] = std::make_shared<Chunk>(*chunks_[c]);
      chunks_[c]->reserve(kChunk);
      shared_[c] = false;
    }
    Chunk& chunk = *chunks_[c];
    if (chunk.size() <= i % kChunk) chunk.resize(i % kChunk + 1);
    chunk[i % kChunk] = std::move(v);
    if (i >= size_) size_ = i + 1;
  }

  const T* at(std::size_t i) const {
    if (i >= size_) return nullptr;
    const Chunk& chunk = *chunks_[i / kChunk];
    return i % kChunk < chunk.size() ? chunk[i % kChunk].get() : nullptr;
  }

  // An immutable view of the current contents; later writes do not show in it.
  Frozen freeze() {
    Frozen f;
    f.chunks_.assign(chunks_.begin(), chunks_.end());
    f.size_ = size_;
    for (std::size_t c = 0; c < shared_.size(); ++c) shared_[c] = true;
    return f;
  }

 private:
  std::vector<std::shared_ptr<Chunk>> chunks_;
  std::vector<bool> shared_;  // chunk c is held by a Frozen: copy before writing
  std::size_t size_ = 0;
};

}  // namespace td::api
