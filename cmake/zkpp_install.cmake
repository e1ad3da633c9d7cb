# `cmake --install`: headers, libraries, programs and the zkpp CMake package
# (find_package(zkpp CONFIG) gives zkpp::client, zkpp::recipes, zkpp::server).
# Test support and the benchmark helpers stay in the build tree.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(ZKPP_INSTALL_CMAKEDIR ${CMAKE_INSTALL_LIBDIR}/cmake/zkpp
    CACHE STRING "Where the zkpp CMake package is installed, relative to the prefix")

install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/zkpp
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR} COMPONENT development)

set(zkpp_library_targets zkpp_asio zkpp_proto zkpp_client zkpp_recipes)
if(TARGET zkpp_server)
  list(APPEND zkpp_library_targets zkpp_server)
endif()
foreach(target IN LISTS zkpp_library_targets)
  string(REGEX REPLACE "^zkpp_" "" export_name ${target})
  set_target_properties(${target} PROPERTIES EXPORT_NAME ${export_name})
endforeach()
install(TARGETS ${zkpp_library_targets} EXPORT zkpp-targets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT development)

foreach(program zkpp-server zkpp-cli zkpp-bench)
  if(TARGET ${program})
    install(TARGETS ${program} RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT runtime)
  endif()
endforeach()

install(EXPORT zkpp-targets NAMESPACE zkpp:: FILE zkppTargets.cmake
        DESTINATION ${ZKPP_INSTALL_CMAKEDIR} COMPONENT development)
configure_package_config_file(${CMAKE_CURRENT_LIST_DIR}/zkppConfig.cmake.in
                              ${PROJECT_BINARY_DIR}/zkppConfig.cmake
                              INSTALL_DESTINATION ${ZKPP_INSTALL_CMAKEDIR})
# 0.x: a minor release may change the API.
write_basic_package_version_file(${PROJECT_BINARY_DIR}/zkppConfigVersion.cmake
                                 COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/zkppConfig.cmake ${PROJECT_BINARY_DIR}/zkppConfigVersion.cmake
              ${CMAKE_CURRENT_LIST_DIR}/zkpp_find_asio.cmake
        DESTINATION ${ZKPP_INSTALL_CMAKEDIR} COMPONENT development)
