// Test helper: element-wise comparison |got - ref| <= abs + rel * |ref|.
// A failure names the worst element (largest |diff| / tol), both values, and
// how many elements are out of tolerance, and fails the test (exit status).
#pragma once
#include <gtest/gtest.h>

#include <cmath>
#include <cstddef>
#include <sstream>
#include <vector>

namespace spikeforge::test {

template <class A, class B>
::testing::AssertionResult all_close(const std::string& what, const A* got, const B* ref, size_t n, double abs_tol,
                                     double rel_tol) {
  size_t bad = 0, worst = 0;
  double worst_ratio = -1;
  for (size_t i = 0; i < n; ++i) {
    const double g = double(got[i]), r = double(ref[i]);
    const double tol = abs_tol + rel_tol * std::fabs(r);
    const double diff = std::fabs(g - r);
    const double ratio = diff == 0 ? 0.0 : std::isfinite(diff) ? diff / tol : INFINITY;
    if (!(diff <= tol)) ++bad;
    if (ratio > worst_ratio || !std::isfinite(ratio)) worst_ratio = ratio, worst = i;
  }
  if (bad == 0) return ::testing::AssertionSuccess();
  std::ostringstream m;
  m.precision(9);
  m << what << ": " << bad << " of " << n << " elements outside |diff| <= " << abs_tol << " + " << rel_tol
    << "*|ref|; worst index " << worst << ": got " << double(got[worst]) << ", ref " << double(ref[worst]);
  return ::testing::AssertionFailure() << m.str();
}

template <class A, class B>
::testing::AssertionResult all_close(const std::string& what, const std::vector<A>& got, const std::vector<B>& ref,
                                     double abs_tol, double rel_tol) {
  if (got.size() != ref.size())
    return ::testing::AssertionFailure() << what << ": size " << got.size() << ", expected " << ref.size();
  return all_close(what, got.data(), ref.data(), got.size(), abs_tol, rel_tol);
}

}  // namespace spikeforge::test
