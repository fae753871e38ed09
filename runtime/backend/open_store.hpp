#pragma once
// The one place that knows which storage backends exist: opens the writer (for the store
// actor) and the reader (for the query CLI and the console) that storage.backend names.
// Everything else holds an event_writer or a store_reader and does not care which it is.
#include <memory>

#include "runtime/config/settings.hpp"
#include "runtime/query/store_reader.hpp"
#include "runtime/store/event_writer.hpp"

namespace seerflow::backend {

// Opens, creating or migrating the store. Throws store_error with a message fit for the user
// (a bad URL, an unreachable server, a newer schema).
std::unique_ptr<store::event_writer> open_writer(const config::storage_settings& s);

enum class access { read_only, read_write };

// Opens the store for queries. nullptr when a SQLite store does not exist yet (no agent has run
// with this path); a PostgreSQL store is always there to ask. Throws store_error (unreachable,
// older or newer schema).
std::unique_ptr<query::store_reader> open_reader(const config::storage_settings& s,
                                                 access mode = access::read_only);

// Where the store is, for messages: the SQLite path, or the URL without its password.
std::string describe(const config::storage_settings& s);

}  // namespace seerflow::backend
