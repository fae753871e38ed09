#pragma once
// Signal handling without async-signal-safety worries: SIGINT, SIGTERM and SIGHUP are blocked in
// every thread (block_termination_signals() runs before any thread starts, so CAF's and Asio's
// threads inherit the mask) and the main thread collects them synchronously with sigtimedwait.
#include <chrono>

namespace seerflow::app {

void block_termination_signals();
// Returns the signal number received within `timeout`, or 0. SIGHUP asks for a reload, the
// others for shutdown.
int wait_termination_signal(std::chrono::milliseconds timeout);
const char* signal_name(int sig);

}  // namespace seerflow::app
