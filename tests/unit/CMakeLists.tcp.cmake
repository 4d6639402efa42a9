# SPDX-License-Identifier: GPL-2.0-or-later
# Unit tests of TCP/WebSocket/SCTP reassembly (lint/capture/tcp.c, sctp.c). Included from
# tests/CMakeLists.txt. Built from the reassembly sources directly, so that the test does not
# depend on libpcap or the rest of the capture layer.

if(NOT TARGET PkgConfig::CUNIT)
  pkg_check_modules(CUNIT REQUIRED IMPORTED_TARGET cunit)
endif()

set(SL_CAPTURE_DIR ${PROJECT_SOURCE_DIR}/lint/capture)
add_executable(test_tcp ${CMAKE_CURRENT_LIST_DIR}/test_tcp.c ${SL_CAPTURE_DIR}/tcp.c
               ${SL_CAPTURE_DIR}/sctp.c ${SL_CAPTURE_DIR}/outq.c)
target_include_directories(test_tcp PRIVATE ${SL_CAPTURE_DIR})
target_link_libraries(test_tcp PRIVATE siplint_engine PkgConfig::CUNIT)
add_test(NAME unit.tcp COMMAND test_tcp WORKING_DIRECTORY ${CMAKE_CURRENT_LIST_DIR})
