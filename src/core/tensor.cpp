#include "core/tensor.h"

#include <cstdlib>
#include <cstring>
#include <new>

#include "core/error.h"

namespace spikeforge {

Shape::Shape(std::initializer_list<int64_t> d) {
  if (d.size() > 5) throw InternalError("Shape: more than 5 dims");
  for (int64_t v : d) dims[rank++] = v;
}

int64_t Shape::numel() const {
  int64_t n = 1;
  for (int i = 0; i < rank; ++i) n *= dims[i];
  return n;
}

bool Shape::operator==(const Shape& o) const {
  if (rank != o.rank) return false;
  for (int i = 0; i < rank; ++i)
    if (dims[i] != o.dims[i]) return false;
  return true;
}

std::string Shape::str() const {
  std::string s = "[";
  for (int i = 0; i < rank; ++i) s += (i ? ", " : "") + std::to_string(dims[i]);
  return s + "]";
}

void AlignedFree::operator()(float* p) const { std::free(p); }

static float* alloc_aligned(int64_t n) {
  size_t bytes = ((static_cast<size_t>(n) * sizeof(float) + 63) / 64) * 64;
  void* p = std::aligned_alloc(64, bytes ? bytes : 64);
  if (!p) throw std::bad_alloc();
  return static_cast<float*>(p);
}

Tensor::Tensor(Shape shape) { resize(shape); }

void Tensor::resize(Shape shape) {
  int64_t n = shape.numel();
  if (n > capacity_) {
    data_.reset(alloc_aligned(n));
    capacity_ = n;
  }
  shape_ = shape;
  fill(0.f);
}

Tensor Tensor::clone() const {
  Tensor t(shape_);
  if (numel()) std::memcpy(t.data(), data(), sizeof(float) * numel());
  return t;
}

void Tensor::fill(float v) {
  float* p = data_.get();
  for (int64_t i = 0, n = numel(); i < n; ++i) p[i] = v;
}

}  // namespace spikeforge
