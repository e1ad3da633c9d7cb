# Warnings-as-errors for our own targets only.
add_library(zkpp_warnings INTERFACE)
add_library(zkpp::warnings ALIAS zkpp_warnings)
target_compile_options(zkpp_warnings INTERFACE -Wall -Wextra -Wpedantic -Werror)
# GCC warns (-Wtsan) that TSan cannot see the fences inside Asio's headers;
# that is about Asio's internals, not our code.
if(ZKPP_SANITIZE STREQUAL "thread" AND CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
  target_compile_options(zkpp_warnings INTERFACE -Wno-tsan)
endif()
# GCC's flow analysis sees through sanitizer instrumentation badly and reports
# maybe-uninitialized in library code (std::regex, std::variant); the normal
# build keeps the warning.
if(NOT ZKPP_SANITIZE STREQUAL "" AND CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
  target_compile_options(zkpp_warnings INTERFACE -Wno-maybe-uninitialized)
endif()

include(${CMAKE_CURRENT_LIST_DIR}/zkpp_find_asio.cmake)
if(NOT ZKPP_ASIO_INCLUDE_DIR)
  message(FATAL_ERROR "standalone Asio (asio.hpp) not found: install libasio-dev")
endif()
# Standalone Asio, header-only. Asio 1.22 picks aligned_alloc or operator new
# depending on whether a libstdc++ header came before its own in each
# translation unit; mixing the two is an alloc/dealloc mismatch (ASan), so one
# choice is made for every unit here and for every consumer.
add_compile_definitions(ASIO_DISABLE_STD_ALIGNED_ALLOC)
add_library(zkpp_asio INTERFACE)
add_library(zkpp::asio ALIAS zkpp_asio)
target_compile_definitions(zkpp_asio INTERFACE ASIO_STANDALONE ASIO_NO_DEPRECATED
                                               ASIO_DISABLE_STD_ALIGNED_ALLOC)
target_link_libraries(zkpp_asio INTERFACE Threads::Threads)

# The sanitizer flags are kept in variables because the installed CMake
# package hands them on: code linked with sanitized zkpp must be sanitized too.
set(ZKPP_SANITIZE_COMPILE_OPTIONS "")
set(ZKPP_SANITIZE_LINK_OPTIONS "")
if(ZKPP_SANITIZE STREQUAL "address")
  set(ZKPP_SANITIZE_COMPILE_OPTIONS -fsanitize=address,undefined -fno-omit-frame-pointer
                                    -fno-sanitize-recover=all)
  set(ZKPP_SANITIZE_LINK_OPTIONS -fsanitize=address,undefined)
elseif(ZKPP_SANITIZE STREQUAL "thread")
  set(ZKPP_SANITIZE_COMPILE_OPTIONS -fsanitize=thread -fno-omit-frame-pointer)
  set(ZKPP_SANITIZE_LINK_OPTIONS -fsanitize=thread)
elseif(NOT ZKPP_SANITIZE STREQUAL "")
  message(FATAL_ERROR "ZKPP_SANITIZE must be empty, 'address' or 'thread'")
endif()
add_compile_options(${ZKPP_SANITIZE_COMPILE_OPTIONS})
add_link_options(${ZKPP_SANITIZE_LINK_OPTIONS})

# Adds our warnings to a zkpp target (build tree only: the installed
# libraries do not impose them on consumers).
function(zkpp_target_defaults target)
  target_link_libraries(${target} PRIVATE $<BUILD_INTERFACE:zkpp_warnings>)
endfunction()
