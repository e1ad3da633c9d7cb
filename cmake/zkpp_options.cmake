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

if(ZKPP_SANITIZE STREQUAL "address")
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all)
  add_link_options(-fsanitize=address,undefined)
elseif(ZKPP_SANITIZE STREQUAL "thread")
  add_compile_options(-fsanitize=thread -fno-omit-frame-pointer)
  add_link_options(-fsanitize=thread)
elseif(NOT ZKPP_SANITIZE STREQUAL "")
  message(FATAL_ERROR "ZKPP_SANITIZE must be empty, 'address' or 'thread'")
endif()

# Adds a zkpp target with our warnings.
function(zkpp_target_defaults target)
  target_link_libraries(${target} PRIVATE zkpp::warnings)
endfunction()
