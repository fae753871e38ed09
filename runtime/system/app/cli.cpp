#include "runtime/system/app/cli.hpp"

#include <cstdio>

namespace seerflow::app {

int run_cli(int, char**) {
  std::puts("seerflow " SEERFLOW_VERSION);
  return 0;
}

}  // namespace seerflow::app
