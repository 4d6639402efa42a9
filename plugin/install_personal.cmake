# SPDX-License-Identifier: GPL-2.0-or-later
# Copies siplint.so into $HOME/.local/lib/wireshark/plugins/<ABI>/epan, $HOME read at build time.
# Called by the install-personal target with -DSIPLINT_SO=<file> -DSIPLINT_WS_ABI=<major.minor>.
if(NOT SIPLINT_SO OR NOT SIPLINT_WS_ABI)
  message(FATAL_ERROR "install_personal.cmake needs -DSIPLINT_SO and -DSIPLINT_WS_ABI")
endif()
if("$ENV{HOME}" STREQUAL "")
  message(FATAL_ERROR "HOME is not set: no personal plugin folder to install into")
endif()
set(dest "$ENV{HOME}/.local/lib/wireshark/plugins/${SIPLINT_WS_ABI}/epan")
file(MAKE_DIRECTORY "${dest}")
file(COPY "${SIPLINT_SO}" DESTINATION "${dest}")
message(STATUS "Installed ${SIPLINT_SO} -> ${dest}")
# Wireshark ignores personal plugins when started with special privileges (real uid or gid 0).
execute_process(COMMAND id -u OUTPUT_VARIABLE uid OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
if(uid STREQUAL "0")
  message(WARNING "Running as root: Wireshark and tshark do not load personal plugins for root. "
                  "Run them as an ordinary user with this HOME, or use cmake --install (system-wide).")
endif()
