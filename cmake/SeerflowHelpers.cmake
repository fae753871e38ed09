# Shared CMake helpers: one library per source folder, one test executable per test file.

# seerflow_folder_library(<name> DIR <dir> [DEPS ...] [EXCLUDE <file> ...])
# Builds every *.cpp in DIR (non-recursive) into a static library; header-only folders become
# INTERFACE libraries. Include root is the repository root, so includes read
# "runtime/parse/drain.hpp".
function(seerflow_folder_library name)
  cmake_parse_arguments(ARG "" "DIR" "DEPS;EXCLUDE" ${ARGN})
  file(GLOB _srcs CONFIGURE_DEPENDS ${ARG_DIR}/*.cpp)
  foreach(ex IN LISTS ARG_EXCLUDE)
    list(REMOVE_ITEM _srcs ${ARG_DIR}/${ex})
  endforeach()
  if(_srcs)
    add_library(${name} STATIC ${_srcs})
    target_include_directories(${name} PUBLIC ${PROJECT_SOURCE_DIR} ${PROJECT_BINARY_DIR}/generated)
    target_link_libraries(${name} PUBLIC ${ARG_DEPS})
  else()
    add_library(${name} INTERFACE)
    target_include_directories(${name} INTERFACE ${PROJECT_SOURCE_DIR} ${PROJECT_BINARY_DIR}/generated)
    target_link_libraries(${name} INTERFACE ${ARG_DEPS})
  endif()
endfunction()

# seerflow_test_folder(<prefix> DIR <dir> DEPS ...)
# Every *_test.cpp in DIR becomes its own executable <prefix>_<stem>, registered with CTest
# one test per Catch2 TEST_CASE. Separate executables keep one broken area from hiding the rest.
function(seerflow_test_folder prefix)
  cmake_parse_arguments(ARG "" "DIR" "DEPS;LABELS" ${ARGN})
  file(GLOB _tests CONFIGURE_DEPENDS ${ARG_DIR}/*_test.cpp)
  foreach(t IN LISTS _tests)
    get_filename_component(stem ${t} NAME_WE)
    string(REGEX REPLACE "_test$" "" stem ${stem})
    set(exe ${prefix}_${stem})
    add_executable(${exe} ${t})
    target_link_libraries(${exe} PRIVATE seerflow_catch_main ${ARG_DEPS})
    target_compile_definitions(${exe} PRIVATE
      SEERFLOW_SOURCE_DIR="${PROJECT_SOURCE_DIR}"
      SEERFLOW_SHARED_DATA="${SEERFLOW_SHARED_DATA}"
      SEERFLOW_BINARY="$<TARGET_FILE:seerflow>")
    catch_discover_tests(${exe} TEST_PREFIX "${prefix}/${stem}: " DISCOVERY_MODE PRE_TEST
                         PROPERTIES SKIP_RETURN_CODE 77 LABELS "${ARG_LABELS}")
  endforeach()
endfunction()

# seerflow_embed_text(<target> <var> <file>): makes the file's text available as
# `extern const char* const <var>;` so the binary runs with no files beside it.
function(seerflow_embed_text target var file)
  file(READ ${file} _content)
  set(_out ${PROJECT_BINARY_DIR}/generated/embedded/${var}.cpp)
  file(CONFIGURE OUTPUT ${_out}
       CONTENT "// Generated from ${file}; edit that file instead.\nextern const char* const ${var};\nconst char* const ${var} = R\"seerflow_embed(${_content})seerflow_embed\";\n")
  set_property(DIRECTORY ${PROJECT_SOURCE_DIR} APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${file})
  target_sources(${target} PRIVATE ${_out})
endfunction()

# seerflow_embed_tree(<target> <var> <root> <glob>...): every file matching the globs (relative
# to root, recursive) as `extern const seerflow_embedded_file <var>[]; extern const
# std::size_t <var>_count;` with paths relative to root, in sorted order. The bundled Sigma
# rules ship this way, so `seerflow start` with no files beside it still runs them.
function(seerflow_embed_tree target var root)
  set(_files)
  foreach(g IN LISTS ARGN)
    file(GLOB_RECURSE _found CONFIGURE_DEPENDS RELATIVE ${root} ${root}/${g})
    list(APPEND _files ${_found})
  endforeach()
  list(SORT _files)
  set(_body "// Generated from ${root}; edit those files instead.\n#include <cstddef>\n")
  string(APPEND _body "struct seerflow_embedded_file { const char* path; const char* text; };\n")
  string(APPEND _body "extern const seerflow_embedded_file ${var}[];\nextern const std::size_t ${var}_count;\n")
  string(APPEND _body "const seerflow_embedded_file ${var}[] = {\n")
  list(LENGTH _files _n)
  foreach(f IN LISTS _files)
    file(READ ${root}/${f} _content)
    set_property(DIRECTORY ${PROJECT_SOURCE_DIR} APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${root}/${f})
    string(APPEND _body "  {\"${f}\", R\"seerflow_embed(${_content})seerflow_embed\"},\n")
  endforeach()
  if(_n EQUAL 0)
    string(APPEND _body "  {nullptr, nullptr},\n")
  endif()
  string(APPEND _body "};\nconst std::size_t ${var}_count = ${_n};\n")
  set(_out ${PROJECT_BINARY_DIR}/generated/embedded/${var}.cpp)
  # Not file(CONFIGURE): rule texts contain "${jndi:...}". Rewritten only when it changed.
  file(WRITE ${_out}.tmp "${_body}")
  file(COPY_FILE ${_out}.tmp ${_out} ONLY_IF_DIFFERENT)
  target_sources(${target} PRIVATE ${_out})
endfunction()
