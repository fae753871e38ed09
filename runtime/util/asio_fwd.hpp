#pragma once
// Include this before any Boost.Asio coroutine header: Boost 1.74's awaitable.hpp uses
// std::exchange without including <utility>, which breaks in some include orders.
#include <utility>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>

#ifndef BOOST_ASIO_HAS_CO_AWAIT
#error "Seerflow needs C++20 coroutines in Boost.Asio (g++ >= 10 with -std=c++20)"
#endif
