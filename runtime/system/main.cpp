// Entry point: everything lives in runtime/system/app (the command line and the boot).
#include "runtime/system/app/cli.hpp"

int main(int argc, char** argv) {
  return seerflow::app::run_cli(argc, argv);
}
