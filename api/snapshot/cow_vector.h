#pragma once
// A growable vector whose published copies are cheap and immutable, for the
// API's snapshots of ever-growing histories (orders, fills, audit events).
//
// Why a tree: every command publishes a snapshot, so freeze() must not cost
// anything proportional to the history (the first version copied a pointer
// per 256 elements on each freeze, and POST /orders slowed from 9,500 to
// 2,700/s as 300,000 orders accumulated). Elements sit in a 32-way radix
// tree of shared nodes: freeze() shares the root (O(1)); the first write
// after a freeze copies the nodes on its path (depth x 32 pointers, depth 4
// up to a million elements), later writes to the same nodes change them in
// place. A node is changed in place only while the writer holds the only
// reference to it, so a Frozen view never sees a change.
//
// The writer is single-threaded (engine thread); Frozen views are read and
// released from any thread.
#include <array>
#include <atomic>
#include <cstddef>
#include <memory>

namespace td::api {

template <class T>
class CowVector {
  static constexpr unsigned kBits = 5;
  static constexpr std::size_t kWidth = std::size_t{1} << kBits;
  static constexpr std::size_t kMask = kWidth - 1;

  // Inner nodes hold nodes, leaves hold elements; both as shared_ptr<const
  // void> (the element type's own deleter is kept).
  struct Node {
    std::array<std::shared_ptr<const void>, kWidth> slot;
  };

  // The slot of element i in a tree of `levels` levels, or nullptr.
  static const std::shared_ptr<const void>* find(const Node* root, unsigned levels, std::size_t i) {
    const Node* n = root;
    for (unsigned l = levels - 1; l > 0 && n != nullptr; --l)
      n = static_cast<const Node*>(n->slot[(i >> (l * kBits)) & kMask].get());
    return n != nullptr ? &n->slot[i & kMask] : nullptr;
  }

 public:
  class Frozen {
   public:
    Frozen() = default;
    std::size_t size() const { return size_; }
    bool empty() const { return size_ == 0; }
    // nullptr when i >= size() (or the slot was never set).
    const T* at(std::size_t i) const {
      const auto* s = slot(i);
      return s != nullptr ? static_cast<const T*>(s->get()) : nullptr;
    }
    std::shared_ptr<const T> ptr(std::size_t i) const {
      const auto* s = slot(i);
      return s != nullptr ? std::static_pointer_cast<const T>(*s) : nullptr;
    }

   private:
    friend class CowVector;
    const std::shared_ptr<const void>* slot(std::size_t i) const {
      return i < size_ ? find(root_.get(), levels_, i) : nullptr;
    }
    std::shared_ptr<const Node> root_;
    unsigned levels_ = 1;
    std::size_t size_ = 0;
  };

  std::size_t size() const { return size_; }

  void push_back(std::shared_ptr<const T> v) { set(size_, std::move(v)); }

  // i <= size(): replaces element i, or appends when i == size(). Writing
  // further (a gap) leaves the gap's elements null.
  void set(std::size_t i, std::shared_ptr<const T> v) {
    if (!root_) root_ = std::make_shared<Node>();
    while (levels_ * kBits < sizeof(std::size_t) * 8 && (i >> (levels_ * kBits)) != 0) {
      auto grown = std::make_shared<Node>();  // the old tree becomes its first child
      grown->slot[0] = std::move(root_);
      root_ = std::move(grown);
      ++levels_;
    }
    if (!exclusive(root_)) root_ = std::make_shared<Node>(*root_);
    Node* n = root_.get();
    for (unsigned l = levels_ - 1; l > 0; --l) {
      auto& child = n->slot[(i >> (l * kBits)) & kMask];
      if (!child) {
        child = std::make_shared<Node>();
      } else if (!exclusive(child)) {
        child = std::make_shared<Node>(*static_cast<const Node*>(child.get()));
      }
      // Created here or held by nobody else: ours to change.
      n = const_cast<Node*>(static_cast<const Node*>(child.get()));
    }
    n->slot[i & kMask] = std::move(v);
    if (i >= size_) size_ = i + 1;
  }

  const T* at(std::size_t i) const {
    if (i >= size_) return nullptr;
    const auto* s = find(root_.get(), levels_, i);
    return s != nullptr ? static_cast<const T*>(s->get()) : nullptr;
  }

  // An immutable view of the current contents; later writes do not show in it.
  Frozen freeze() const {
    Frozen f;
    f.root_ = root_;
    f.levels_ = levels_;
    f.size_ = size_;
    return f;
  }

 private:
  // True when `p` is the only reference to its node. Nobody can add one
  // meanwhile (that takes a reference already); the fence orders our
  // changes after a reader's last use of a view it has just released.
  template <class P>
  static bool exclusive(const std::shared_ptr<P>& p) {
    if (p.use_count() != 1) return false;
    std::atomic_thread_fence(std::memory_order_acquire);
    return true;
  }

  std::shared_ptr<Node> root_;
  unsigned levels_ = 1;
  std::size_t size_ = 0;
};

}  // namespace td::api
