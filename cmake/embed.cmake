# pm_embed_text(FILE SYMBOL OUT): write OUT, a C header defining
# `static const char SYMBOL[]` holding FILE's bytes and a terminating NUL.
# Run at configure time; FILE is a configure dependency, so editing it
# regenerates the header at the next build.
function(pm_embed_text file symbol out)
  file(READ "${file}" hex HEX)
  string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
  string(REGEX REPLACE "(0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,)" "\\1\n    "
         bytes "${bytes}")
  file(RELATIVE_PATH rel "${PROJECT_SOURCE_DIR}" "${file}")
  set(text "/* Generated from ${rel} by cmake/embed.cmake; do not edit. */\n")
  string(APPEND text "static const char ${symbol}[] = {\n    ${bytes}0x00};\n")
  if(EXISTS "${out}")
    file(READ "${out}" old)
  endif()
  if(NOT old STREQUAL text)
    file(WRITE "${out}" "${text}")
  endif()
  set_property(DIRECTORY "${PROJECT_SOURCE_DIR}" APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS "${file}")
endfunction()
