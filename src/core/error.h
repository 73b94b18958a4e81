// Project errors. One line each: where, what was found, what was expected,
// e.g. "train.toml: timesteps = 0, expected an integer >= 1".
// Only cli/main.cpp catches them: InputError/ConfigError/ShapeError exit 2,
// InternalError (a bug) exits 3. Library code never calls exit or abort.
#pragma once
#include <stdexcept>
#include <string>

namespace spikeforge {

struct Error : std::runtime_error {
  using std::runtime_error::runtime_error;
};
// A missing, truncated or corrupt file, or a value in it that cannot be right.
struct InputError : Error {
  using Error::Error;
};
// An impossible or unknown configuration key or value.
struct ConfigError : Error {
  using Error::Error;
};
// Tensors or models whose shapes do not fit together.
struct ShapeError : Error {
  using Error::Error;
};
// A broken invariant: a bug in spikeforge, never the user's input.
struct InternalError : Error {
  using Error::Error;
};

}  // namespace spikeforge
