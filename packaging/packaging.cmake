# Installation (make install, cmake --install) and the Debian packages (make deb: CPack).
# One set of install rules in three components, which are also the three packages:
#   stprog         the program, its man page, the udev rule, shell completion, the virtual
#                  board's libusb shim (private, for `stprog sim-env`), the documentation
#   libstprog      libstprog.so.SOVERSION                                  -> libstprog0
#   dev            headers, libstprog.so, stprog.pc, the example program   -> libstprog-dev
# docs/packaging.md describes the layout and the lintian results.
include(GNUInstallDirs)

set(STP_SOVERSION 0)
set(STP_PACKAGE_MAINTAINER "stprog maintainers <maintainers@users.noreply.r-seed-064daaa2.example>"
    CACHE STRING "Maintainer field of the Debian packages")
set(STP_UDEVRULESDIR "lib/udev/rules.d" CACHE STRING
    "Where the udev rule is installed (relative: under the prefix)")
set(stp_pkg ${CMAKE_SOURCE_DIR}/packaging)
set(stp_gen ${CMAKE_BINARY_DIR}/packaging)
file(MAKE_DIRECTORY ${stp_gen})

# --- libstprog.so: the layer libraries as one shared library ------------------------------
# Exported: exactly the functions declared in include/stprog/*.h (read at configure time;
# editing a header re-runs CMake). Everything else, sim_* included, stays local.
file(GLOB stp_public_headers CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/include/stprog/*.h)
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${stp_public_headers})
set(stp_exports "")
foreach(h ${stp_public_headers})
  file(READ ${h} text)
  string(REGEX REPLACE "/\\*([^*]|\\*+[^*/])*\\*+/" "" text "${text}") # comments out
  string(REGEX MATCHALL "stp_[a-z0-9_]+[ \t\n]*\\(" calls "${text}")
  foreach(c ${calls})
    string(REGEX REPLACE "[ \t\n]*\\($" "" c "${c}")
    list(APPEND stp_exports ${c})
  endforeach()
endforeach()
list(REMOVE_DUPLICATES stp_exports)
list(SORT stp_exports)
list(JOIN stp_exports ";\n    " stp_export_lines)
file(CONFIGURE OUTPUT ${stp_gen}/libstprog.map CONTENT
     "/* Generated from include/stprog/*.h by packaging/packaging.cmake. */\nSTPROG_${STP_SOVERSION} {\n  global:\n    ${stp_export_lines};\n  local:\n    *;\n};\n")

file(CONFIGURE OUTPUT ${stp_gen}/libstprog_so.c CONTENT
     "/* libstprog.so is the whole static layer libraries (linked as whole archives). */\ntypedef int stp_libstprog_so;\n")
add_library(stprog_shared SHARED ${stp_gen}/libstprog_so.c)
set(stp_whole stprog_lib stprog_chipdb)
if(TARGET stprog_sim)
  list(APPEND stp_whole stprog_sim)
endif()
set(stp_whole_files "")
foreach(l ${stp_whole})
  list(APPEND stp_whole_files $<TARGET_FILE:${l}>)
endforeach()
add_dependencies(stprog_shared ${stp_whole})
find_package(Threads REQUIRED)
target_link_libraries(stprog_shared PRIVATE -Wl,--whole-archive ${stp_whole_files}
                      -Wl,--no-whole-archive PkgConfig::LIBUSB Threads::Threads m
                      -Wl,--version-script=${stp_gen}/libstprog.map)
if(TARGET stprog_sim)
  target_link_libraries(stprog_shared PRIVATE PkgConfig::UNICORN)
endif()
if(NOT STP_SANITIZE) # the sanitizer runtimes are not linked into shared libraries
  target_link_options(stprog_shared PRIVATE -Wl,--no-undefined)
endif()
set_target_properties(stprog_shared PROPERTIES
  OUTPUT_NAME stprog VERSION ${PROJECT_VERSION} SOVERSION ${STP_SOVERSION}
  LIBRARY_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}
  LINK_DEPENDS ${stp_gen}/libstprog.map)

# --- generated files: completion scripts, man page, changelog, copyright ----------------
set(stp_completion ${CMAKE_BINARY_DIR}/completion)
add_custom_command(
  OUTPUT ${stp_completion}/stprog ${stp_completion}/_stprog ${stp_completion}/stprog.fish
  COMMAND ${CMAKE_COMMAND} -E make_directory ${stp_completion}
  COMMAND sh -c "\"$1\" completion bash >\"$2/stprog\" && \"$1\" completion zsh >\"$2/_stprog\" && \"$1\" completion fish >\"$2/stprog.fish\""
          sh $<TARGET_FILE:stprog> ${stp_completion}
  DEPENDS stprog
  COMMENT "Generating the bash, zsh and fish completion from stprog's command table" VERBATIM)
add_custom_command(
  OUTPUT ${stp_gen}/stprog.1.gz
  COMMAND sh -c "gzip -9nc \"$1\" >\"$2\"" sh ${CMAKE_SOURCE_DIR}/docs/stprog.1 ${stp_gen}/stprog.1.gz
  DEPENDS ${CMAKE_SOURCE_DIR}/docs/stprog.1 VERBATIM)

# A Debian-format changelog: one entry for this version (a native package carries one).
string(TIMESTAMP stp_date "%a, %d %b %Y %H:%M:%S +0000" UTC) # honours SOURCE_DATE_EPOCH
file(CONFIGURE OUTPUT ${stp_gen}/changelog CONTENT
     "stprog (${PROJECT_VERSION}) unstable; urgency=medium\n\n  * stprog ${PROJECT_VERSION}, built from its sources (README.md).\n\n -- ${STP_PACKAGE_MAINTAINER}  ${stp_date}\n")
add_custom_command(
  OUTPUT ${stp_gen}/changelog.gz
  COMMAND sh -c "gzip -9nc \"$1\" >\"$2\"" sh ${stp_gen}/changelog ${stp_gen}/changelog.gz
  DEPENDS ${stp_gen}/changelog VERBATIM)

# The copyright file in Debian's machine-readable format, from LICENSE.
file(STRINGS ${CMAKE_SOURCE_DIR}/LICENSE stp_license_lines)
set(stp_holder "")
set(stp_license_text "")
set(stp_in_text OFF)
foreach(line IN LISTS stp_license_lines)
  if(line MATCHES "^Copyright \\(c\\) (.*)$")
    set(stp_holder "${CMAKE_MATCH_1}")
  elseif(line MATCHES "^Permission")
    set(stp_in_text ON)
  endif()
  if(stp_in_text)
    if(line STREQUAL "")
      string(APPEND stp_license_text " .\n")
    else()
      string(APPEND stp_license_text " ${line}\n")
    endif()
  endif()
endforeach()
file(CONFIGURE OUTPUT ${stp_gen}/copyright CONTENT
     "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\nUpstream-Name: stprog\n\nFiles: *\nCopyright: ${stp_holder}\nLicense: Expat\n${stp_license_text}")

# --- the shim under libusb's name, for programs that load libusb themselves (pyusb) --------
set(stp_shim_link "")
if(TARGET stprog-usbsim)
  set(stp_shim_link ${CMAKE_BINARY_DIR}/libusb/libusb-1.0.so.0)
  add_custom_command(
    OUTPUT ${stp_shim_link}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${CMAKE_BINARY_DIR}/libusb
    COMMAND ${CMAKE_COMMAND} -E create_symlink ../libstprog-usbsim.so ${stp_shim_link}
    DEPENDS stprog-usbsim VERBATIM)
endif()

# --- STM32_Programmer_CLI: stprog under that name takes its command line (src/cli/cube.h);
# a link in libexec/stprog, not on PATH, for a runner to be pointed at -------------------
file(RELATIVE_PATH stp_cube_target ${CMAKE_INSTALL_FULL_LIBEXECDIR}/stprog
     ${CMAKE_INSTALL_FULL_BINDIR}/stprog)
set(stp_cube_link ${CMAKE_BINARY_DIR}/libexec/STM32_Programmer_CLI)
add_custom_command(
  OUTPUT ${stp_cube_link}
  COMMAND ${CMAKE_COMMAND} -E make_directory ${CMAKE_BINARY_DIR}/libexec
  COMMAND ${CMAKE_COMMAND} -E create_symlink ${stp_cube_target} ${stp_cube_link}
  VERBATIM)

add_custom_target(packaging_files ALL DEPENDS ${stp_cube_link}
  ${stp_completion}/stprog ${stp_completion}/_stprog ${stp_completion}/stprog.fish
  ${stp_gen}/stprog.1.gz ${stp_gen}/changelog.gz ${stp_shim_link})

# Where stprog sim-env looks for the installed shim, relative to the binary's directory.
file(RELATIVE_PATH stp_usbsim_reldir ${CMAKE_INSTALL_FULL_BINDIR} ${CMAKE_INSTALL_FULL_LIBDIR}/stprog)
target_compile_definitions(stprog_cli PRIVATE STP_USBSIM_RELDIR="${stp_usbsim_reldir}")

# --- install rules -------------------------------------------------------------------------
set(stp_lib_perms OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ) # Debian: libraries 0644
set(stp_docdir ${CMAKE_INSTALL_DATADIR}/doc)

install(TARGETS stprog RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT stprog)
install(FILES ${stp_cube_link} DESTINATION ${CMAKE_INSTALL_LIBEXECDIR}/stprog COMPONENT stprog)
install(FILES ${stp_gen}/stprog.1.gz DESTINATION ${CMAKE_INSTALL_MANDIR}/man1 COMPONENT stprog)
install(FILES ${CMAKE_SOURCE_DIR}/contrib/60-stprog.rules DESTINATION ${STP_UDEVRULESDIR}
        COMPONENT stprog)
install(FILES ${stp_completion}/stprog
        DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions COMPONENT stprog)
install(FILES ${stp_completion}/_stprog
        DESTINATION ${CMAKE_INSTALL_DATADIR}/zsh/vendor-completions COMPONENT stprog)
install(FILES ${stp_completion}/stprog.fish
        DESTINATION ${CMAKE_INSTALL_DATADIR}/fish/vendor_completions.d COMPONENT stprog)
if(TARGET stprog-usbsim)
  install(TARGETS stprog-usbsim LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}/stprog
          PERMISSIONS ${stp_lib_perms} COMPONENT stprog)
  install(FILES ${stp_shim_link}
          DESTINATION ${CMAKE_INSTALL_LIBDIR}/stprog/libusb COMPONENT stprog)
endif()
file(GLOB stp_docs CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/docs/*.md)
install(FILES ${CMAKE_SOURCE_DIR}/README.md ${stp_docs} DESTINATION ${stp_docdir}/stprog
        COMPONENT stprog)
if(STP_EXAMPLES_DIR)
  install(FILES ${STP_EXAMPLES_DIR}/blinky_f407.hex DESTINATION ${stp_docdir}/stprog/examples
          COMPONENT stprog)
endif()

install(TARGETS stprog_shared LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        PERMISSIONS ${stp_lib_perms} COMPONENT libstprog NAMELINK_COMPONENT dev)
install(DIRECTORY ${CMAKE_SOURCE_DIR}/include/stprog DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
        COMPONENT dev FILES_MATCHING PATTERN "*.h")
set(STP_PC_LIBDIR ${CMAKE_INSTALL_LIBDIR})
set(STP_PC_INCLUDEDIR ${CMAKE_INSTALL_INCLUDEDIR})
set(STP_PC_PREFIX "@CMAKE_INSTALL_PREFIX@") # filled in at install time, below
configure_file(${stp_pkg}/stprog.pc.in ${stp_gen}/stprog.pc.in @ONLY)
# stprog.pc is written at install time, straight into the destination (no shared file in
# the build tree that two installs could race on).
install(CODE "
  set(pc \"\${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_LIBDIR}/pkgconfig/stprog.pc\")
  message(STATUS \"Installing: \$ENV{DESTDIR}\${pc}\")
  configure_file(\"${stp_gen}/stprog.pc.in\" \"\$ENV{DESTDIR}\${pc}\" @ONLY)
  list(APPEND CMAKE_INSTALL_MANIFEST_FILES \"\${pc}\")" COMPONENT dev)
install(FILES ${CMAKE_SOURCE_DIR}/examples/library/program.c
              ${CMAKE_SOURCE_DIR}/examples/library/Makefile
              ${CMAKE_SOURCE_DIR}/examples/library/README.md
        DESTINATION ${stp_docdir}/libstprog-dev/examples COMPONENT dev)

foreach(comp_pkg stprog:stprog libstprog:libstprog0 dev:libstprog-dev)
  string(REPLACE ":" ";" cp ${comp_pkg})
  list(GET cp 0 comp)
  list(GET cp 1 pkg)
  install(FILES ${stp_gen}/copyright ${stp_gen}/changelog.gz DESTINATION ${stp_docdir}/${pkg}
          COMPONENT ${comp})
endforeach()

# --- CPack: the Debian packages ----------------------------------------------------------
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME stprog)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "${STP_PACKAGE_MAINTAINER}")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_ALL stprog libstprog dev)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
set(CPACK_DEBIAN_STPROG_PACKAGE_NAME stprog)
set(CPACK_DEBIAN_STPROG_PACKAGE_SECTION electronics)
set(CPACK_DEBIAN_STPROG_PACKAGE_CONTROL_EXTRA ${stp_pkg}/postinst ${stp_pkg}/postrm)
set(CPACK_DEBIAN_STPROG_DESCRIPTION
"STM32 programmer and diagnostics for ST-Link probes
stprog programs, reads, erases, verifies and protects the flash of STM32
microcontrollers through an ST-Link probe over SWD or through the chip's ROM
bootloader on a serial port, serves GDB, and explains why a board will not
erase or program (voltage, reset flags, flash status, protection).

A built-in virtual board (modelled ST-Link and STM32) lets stprog, and through
'stprog sim-env' also st-flash, OpenOCD and pyOCD, run without hardware.")
set(CPACK_DEBIAN_LIBSTPROG_PACKAGE_NAME libstprog${STP_SOVERSION})
set(CPACK_DEBIAN_LIBSTPROG_PACKAGE_SECTION libs)
set(CPACK_DEBIAN_LIBSTPROG_PACKAGE_CONTROL_EXTRA ${stp_pkg}/libstprog0/triggers)
set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS ON) # shlibs and the ldconfig trigger
set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS_POLICY "=")
set(CPACK_DEBIAN_LIBSTPROG_DESCRIPTION
"STM32 programming library (stprog)
libstprog opens ST-Link probes (or the virtual board), attaches to STM32
targets and programs, verifies, reads and erases their flash, reporting every
failure as a status with findings (evidence and advice).")
set(CPACK_DEBIAN_DEV_PACKAGE_NAME libstprog-dev)
set(CPACK_DEBIAN_DEV_PACKAGE_SECTION libdevel)
set(CPACK_DEBIAN_DEV_PACKAGE_DEPENDS "libstprog${STP_SOVERSION} (= ${PROJECT_VERSION})")
set(CPACK_DEBIAN_DEV_DESCRIPTION
"STM32 programming library (stprog) - development files
The headers, the pkg-config file (stprog.pc) and an example program for
libstprog, which opens ST-Link probes (or the virtual board), attaches to STM32
targets and programs, verifies, reads and erases their flash.")
include(CPack)
