# Installs a zkpp build into a fresh prefix, checks that the installed files
# name neither the source nor the build tree nor test-only targets, then
# configures, builds and runs tests/package/consumer against that prefix.
#   cmake -DZKPP_BUILD_DIR=... -DZKPP_SOURCE_DIR=... -DWORK_DIR=... -DGENERATOR=...
#         -DCXX_COMPILER=... -DBUILD_TYPE=... -P install_and_use.cmake
foreach(var ZKPP_BUILD_DIR ZKPP_SOURCE_DIR WORK_DIR GENERATOR CXX_COMPILER BUILD_TYPE)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "install_and_use.cmake needs -D${var}=...")
  endif()
endforeach()

set(prefix ${WORK_DIR}/prefix)
set(consumer_build ${WORK_DIR}/consumer-build)
file(REMOVE_RECURSE ${WORK_DIR})
file(MAKE_DIRECTORY ${WORK_DIR})

function(run what)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${what} failed (${rc}):\n${out}")
  endif()
  set(run_output "${out}" PARENT_SCOPE)
endfunction()

run("cmake --install ${ZKPP_BUILD_DIR}" ${CMAKE_COMMAND} --install ${ZKPP_BUILD_DIR} --prefix ${prefix})

foreach(required include/zkpp/client.hpp include/zkpp/server.hpp include/zkpp/recipes/mutex.hpp
                 include/zkpp/detail include/zkpp/recipes/detail bin/zkpp-server)
  if(NOT EXISTS ${prefix}/${required})
    message(FATAL_ERROR "not installed: ${required}")
  endif()
endforeach()
file(GLOB_RECURSE package_files ${prefix}/lib*/cmake/zkpp/*)
if(NOT package_files)
  message(FATAL_ERROR "no CMake package installed under ${prefix}/lib*/cmake/zkpp")
endif()
file(GLOB_RECURSE header_files ${prefix}/include/*)
foreach(file IN LISTS package_files header_files)
  file(READ ${file} text)
  foreach(forbidden ${ZKPP_SOURCE_DIR} ${ZKPP_BUILD_DIR} ${prefix} test_support)
    string(FIND "${text}" "${forbidden}" at)
    if(NOT at EQUAL -1)
      message(FATAL_ERROR "installed ${file} contains '${forbidden}'")
    endif()
  endforeach()
endforeach()

run("configuring the consumer" ${CMAKE_COMMAND} -S ${CMAKE_CURRENT_LIST_DIR}/consumer
    -B ${consumer_build} -G ${GENERATOR} -DCMAKE_BUILD_TYPE=${BUILD_TYPE}
    -DCMAKE_CXX_COMPILER=${CXX_COMPILER} -DCMAKE_PREFIX_PATH=${prefix})
run("building the consumer" ${CMAKE_COMMAND} --build ${consumer_build})
run("running the consumer" ${consumer_build}/zkpp_consumer)
if(NOT run_output MATCHES "^ok\n")
  message(FATAL_ERROR "the consumer printed '${run_output}', not 'ok'")
endif()
message(STATUS "installed zkpp at ${prefix}: consumer built and printed ok")
