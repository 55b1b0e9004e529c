# Style and render unit tests; included from tests/CMakeLists.txt.
if(NOT TARGET PkgConfig::CMOCKA)
  pkg_check_modules(CMOCKA REQUIRED IMPORTED_TARGET cmocka)
endif()

foreach(t test_style test_render)
  if(NOT EXISTS ${CMAKE_CURRENT_LIST_DIR}/${t}.c)
    continue()
  endif()
  add_executable(${t} ${CMAKE_CURRENT_LIST_DIR}/${t}.c)
  target_link_libraries(${t} PRIVATE parkmap PkgConfig::CMOCKA)
  target_compile_options(${t} PRIVATE ${PM_WARNINGS})
  target_compile_definitions(${t} PRIVATE PM_SOURCE_DIR="${PROJECT_SOURCE_DIR}"
                                          _POSIX_C_SOURCE=200809L)
  add_test(NAME ${t} COMMAND ${t})
  set_tests_properties(${t} PROPERTIES LABELS unit ENVIRONMENT "${PM_TEST_ENV}")
endforeach()
