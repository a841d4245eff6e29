# hs_module(NAME DIRS dir... DEPS dep...): a static library from every .cc in the given
# directories (not recursive), with the project's include paths and warnings. A module whose
# directories hold no .cc yet becomes an INTERFACE library, so the tree builds while it grows.
function(hs_module name)
  cmake_parse_arguments(M "" "" "DIRS;DEPS" ${ARGN})
  set(sources)
  foreach(dir IN LISTS M_DIRS)
    file(GLOB found CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/${dir}/*.cc)
    list(APPEND sources ${found})
  endforeach()
  if(sources)
    add_library(${name} STATIC ${sources})
    target_include_directories(${name} PUBLIC ${PROJECT_SOURCE_DIR}/include ${PROJECT_SOURCE_DIR}/src)
    target_compile_options(${name} PRIVATE ${HS_WARNINGS})
    target_link_libraries(${name} PUBLIC ${M_DEPS})
    # Hidden by default: only declarations marked HS_API (include/hs/export.h) are exported from
    # libhandshake.so, which is assembled from these objects (cmake/install.cmake).
    set_target_properties(${name} PROPERTIES POSITION_INDEPENDENT_CODE ON
      CXX_VISIBILITY_PRESET hidden VISIBILITY_INLINES_HIDDEN ON)
  else()
    add_library(${name} INTERFACE)
    target_include_directories(${name} INTERFACE ${PROJECT_SOURCE_DIR}/include ${PROJECT_SOURCE_DIR}/src)
    target_link_libraries(${name} INTERFACE ${M_DEPS})
  endif()
endfunction()

# hs_unit_test(NAME DIR dir DEPS dep... [TABLES suite...]): one GoogleTest binary from
# tests/unit/<dir>/*_test.cc, registered with CTest test by test, except each TABLES suite (a
# parameterised table of hundreds of small rows), which runs as one CTest test in one process:
# under ASan a test process costs about 0.2 s to start, more than a whole row takes.
# Test files share one precompiled header (hs_test_pch, tests/CMakeLists.txt), which halves the
# time to compile a small test file.
function(hs_unit_test name)
  cmake_parse_arguments(T "" "DIR" "DEPS;TABLES" ${ARGN})
  file(GLOB_RECURSE sources CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/tests/unit/${T_DIR}/*_test.cc)
  if(NOT sources)
    return()
  endif()
  add_executable(${name} ${sources})
  target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR}/tests)
  target_compile_options(${name} PRIVATE ${HS_WARNINGS} -Wno-conversion -Wno-sign-conversion)
  target_link_libraries(${name} PRIVATE ${T_DEPS} GTest::gtest GTest::gtest_main GTest::gmock)
  target_compile_definitions(${name} PRIVATE HS_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
  target_precompile_headers(${name} REUSE_FROM hs_test_pch)
  set(excluded)
  foreach(table IN LISTS T_TABLES)
    add_test(NAME ${table} COMMAND ${name} --gtest_filter=${table}.*)
    # A filter that matches nothing passes in GoogleTest; here it is a failure.
    set_tests_properties(${table} PROPERTIES LABELS unit
      FAIL_REGULAR_EXPRESSION "Running 0 tests from")
    list(APPEND excluded ${table}.*)
  endforeach()
  set(filter)
  if(excluded)
    list(JOIN excluded ":" negative)
    set(filter TEST_FILTER "-${negative}")
  endif()
  gtest_discover_tests(${name} ${filter} DISCOVERY_TIMEOUT 60 PROPERTIES LABELS unit)
endfunction()
