#pragma once
// The `seerflow` command line: start, analyze, validate-config, --version.
namespace seerflow::app {

int run_cli(int argc, char** argv);

}  // namespace seerflow::app
