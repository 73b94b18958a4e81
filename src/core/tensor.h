// Tensor: contiguous float32, row-major, owning an aligned buffer, up to 5 dims.
// Copies are explicit (`clone()`); a view is a (pointer, shape) pair that owns
// nothing. Time-major multi-step activations are [T, B, ...].
#pragma once
#include <array>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <string>

namespace spikeforge {

struct Shape {
  std::array<int64_t, 5> dims{};
  int rank = 0;

  Shape() = default;
  Shape(std::initializer_list<int64_t> d);
  int64_t operator[](int i) const { return dims[i]; }
  int64_t& operator[](int i) { return dims[i]; }
  int64_t numel() const;
  bool operator==(const Shape& o) const;
  std::string str() const;  // "[2, 3, 4]"
};

// Deleter for 64-byte aligned float buffers (AVX-512 lines).
struct AlignedFree {
  void operator()(float* p) const;
};

class Tensor {
 public:
  Tensor() = default;
  explicit Tensor(Shape shape);  // zero-filled
  Tensor(Tensor&&) noexcept = default;
  Tensor& operator=(Tensor&&) noexcept = default;
  Tensor(const Tensor&) = delete;
  Tensor& operator=(const Tensor&) = delete;

  Tensor clone() const;
  // Re-shapes in place, reallocating only when the element count grows.
  void resize(Shape shape);
  void fill(float v);

  float* data() { return data_.get(); }
  const float* data() const { return data_.get(); }
  const Shape& shape() const { return shape_; }
  int64_t numel() const { return shape_.numel(); }
  float& operator[](int64_t i) { return data_.get()[i]; }
  float operator[](int64_t i) const { return data_.get()[i]; }

 private:
  Shape shape_;
  int64_t capacity_ = 0;
  std::unique_ptr<float[], AlignedFree> data_;
};

}  // namespace spikeforge
