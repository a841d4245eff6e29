# The installed library. The modules (hs_module) stay separate static libraries for the tests,
# fuzzers and tools; the library users get is assembled from their already-compiled objects
# ($<TARGET_OBJECTS:...>, the modules are built position-independent), so nothing is compiled
# twice. Two builds of the same objects are installed side by side:
#   libhandshake.so.<SOVERSION>  (handshake_shared)   libhandshake.a  (handshake_static)
# and each is exported as handshake::handshake in its own export set; handshake-config.cmake
# picks one (see cmake/handshake-config.cmake.in). hs_crypto_testing never goes in: its
# deterministic provider is for tests and fuzzing only.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(HS_INSTALLED_MODULES hs_base hs_crypto hs_keyschedule hs_record hs_messages hs_x509
    hs_trace hs_handshake hs_io)

# ABI is not promised within 0.x: the soname carries major.minor until 1.0.
if(PROJECT_VERSION_MAJOR EQUAL 0)
  set(HS_SOVERSION ${PROJECT_VERSION_MAJOR}.${PROJECT_VERSION_MINOR})
else()
  set(HS_SOVERSION ${PROJECT_VERSION_MAJOR})
endif()

set(hs_objects)
foreach(module IN LISTS HS_INSTALLED_MODULES)
  list(APPEND hs_objects $<TARGET_OBJECTS:${module}>)
endforeach()

add_library(handshake_shared SHARED ${hs_objects})
add_library(handshake_static STATIC ${hs_objects})
foreach(lib handshake_shared handshake_static)
  target_include_directories(${lib} INTERFACE
    $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/include>
    $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>)
  target_compile_features(${lib} INTERFACE cxx_std_20)
  # Private: no public header includes OpenSSL. The static library's export still carries it
  # as $<LINK_ONLY:OpenSSL::Crypto>, which is why the package config finds OpenSSL.
  target_link_libraries(${lib} PRIVATE OpenSSL::Crypto)
  set_target_properties(${lib} PROPERTIES OUTPUT_NAME handshake EXPORT_NAME handshake)
endforeach()
set_target_properties(handshake_shared PROPERTIES
  VERSION ${PROJECT_VERSION} SOVERSION ${HS_SOVERSION})
if(NOT HS_SANITIZE)
  # Every symbol the objects use must be in them or in libcrypto/libstdc++: a module missing
  # from HS_INSTALLED_MODULES fails here instead of in the user's link.
  target_link_options(handshake_shared PRIVATE LINKER:--no-undefined)
endif()

install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/hs DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
        FILES_MATCHING PATTERN "*.h")
install(TARGETS handshake_shared EXPORT handshake-shared-targets
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(TARGETS handshake_static EXPORT handshake-static-targets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})

set(HS_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/handshake)
install(EXPORT handshake-shared-targets NAMESPACE handshake:: DESTINATION ${HS_CMAKE_DIR})
install(EXPORT handshake-static-targets NAMESPACE handshake:: DESTINATION ${HS_CMAKE_DIR})
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/handshake-config.cmake.in
  ${PROJECT_BINARY_DIR}/handshake-config.cmake INSTALL_DESTINATION ${HS_CMAKE_DIR})
# 0.x: a minor release may break the API, so only the same major.minor is compatible.
write_basic_package_version_file(${PROJECT_BINARY_DIR}/handshake-config-version.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/handshake-config.cmake
              ${PROJECT_BINARY_DIR}/handshake-config-version.cmake
        DESTINATION ${HS_CMAKE_DIR})

# handshake.pc is relocatable (prefix from ${pcfiledir}), so `cmake --install --prefix` anywhere
# gives a working file.
file(RELATIVE_PATH HS_PC_PREFIX_FROM_PCDIR
     /root/${CMAKE_INSTALL_LIBDIR}/pkgconfig /root)
configure_file(${PROJECT_SOURCE_DIR}/cmake/handshake.pc.in ${PROJECT_BINARY_DIR}/handshake.pc
               @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/handshake.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
