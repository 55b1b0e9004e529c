# Style and render unit tests; included from tests/CMakeLists.txt.
if(NOT TARGET PkgConfig::CMOCKA)
  pkg_check_modules(CMOCKA REQUIRED IMPORTED_TARGET cmocka)
endif()

foreach(t test_style test_render)
  add_executable(${t} ${CMAKE_CURRENT_LIST_DIR}/${t}.c)
  target_link_libraries(${t} PRIVATE parkmap PkgConfig::CMOCKA)
  target_compile_options(${t} PRIVATE ${PM_WARNINGS})
  target_compile_definitions(${t} PRIVATE PM_SOURCE_DIR="${PROJECT_SOURCE_DIR}"
                                          _POSIX_C_SOURCE=200809L)
  add_test(NAME ${t} COMMAND ${t})
  set_tests_properties(${t} PROPERTIES LABELS unit ENVIRONMENT "${PM_TEST_ENV}")
endforeach()

# Reference images (tests/render/): the shipped styles drawn and compared
# with tolerance. Regenerate: PM_UPDATE_REFERENCES=1 ctest -R render_ref
add_executable(render_compare ${PROJECT_SOURCE_DIR}/tests/render/render_compare.c)
target_link_libraries(render_compare PRIVATE PkgConfig::CAIRO)
target_compile_options(render_compare PRIVATE ${PM_WARNINGS})
add_test(NAME render_ref COMMAND bash ${PROJECT_SOURCE_DIR}/tests/render/render_ref.sh)
set_tests_properties(render_ref PROPERTIES LABELS render
  ENVIRONMENT "${PM_TEST_ENV};PM_COMPARE=$<TARGET_FILE:render_compare>")
