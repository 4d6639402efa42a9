# SPDX-License-Identifier: GPL-2.0-or-later
# Unit tests of the capture layer (lint/capture). Included from tests/unit/CMakeLists.txt.

if(NOT TARGET PkgConfig::CUNIT)
  pkg_check_modules(CUNIT REQUIRED IMPORTED_TARGET cunit)
endif()

add_executable(test_capture ${CMAKE_CURRENT_LIST_DIR}/test_capture.c)
target_link_libraries(test_capture PRIVATE siplint_capture PkgConfig::CUNIT)
# The test writes its crafted captures with mkpcap (tests/tools) at run time.
target_compile_definitions(test_capture PRIVATE SL_MKPCAP="$<TARGET_FILE:mkpcap>")
add_dependencies(test_capture mkpcap)
add_test(NAME unit.capture COMMAND test_capture WORKING_DIRECTORY ${CMAKE_CURRENT_LIST_DIR})
