# Standalone Asio is header-only and ships no CMake package: zkpp relies on
# the compiler finding <asio.hpp> (Debian: libasio-dev) and checks for it here,
# both in the build and in the installed zkppConfig.cmake.
find_path(ZKPP_ASIO_INCLUDE_DIR asio.hpp DOC "Directory of standalone Asio's asio.hpp")
