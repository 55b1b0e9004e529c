# Export module unit test; included from tests/CMakeLists.txt.
if(NOT TARGET PkgConfig::CMOCKA)
  pkg_check_modules(CMOCKA REQUIRED IMPORTED_TARGET cmocka)
endif()

add_executable(test_export ${CMAKE_CURRENT_LIST_DIR}/test_export.c)
target_link_libraries(test_export PRIVATE parkmap PkgConfig::CMOCKA)
target_compile_options(test_export PRIVATE ${PM_WARNINGS})
target_compile_definitions(test_export PRIVATE _POSIX_C_SOURCE=200809L)
add_test(NAME test_export COMMAND test_export)
set_tests_properties(test_export PROPERTIES LABELS unit ENVIRONMENT "${PM_TEST_ENV}")
# The unit test also checks the export module's internal field-name mapping.
target_include_directories(test_export PRIVATE ${PROJECT_SOURCE_DIR}/src)
