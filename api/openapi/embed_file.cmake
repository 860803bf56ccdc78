# cmake -DINPUT=file -DOUTPUT=file.cpp -DHEADER=api/x.h -DNAMESPACE=td::api -DFUNCTION=f -P embed_file.cmake
# Writes a .cpp defining `std::string_view NAMESPACE::FUNCTION()` that returns
# INPUT's bytes, from a char array (a string literal would hit compilers'
# length limits: MSVC's 16 KiB, the standard's minimum of 65,536).
file(READ "${INPUT}" hex HEX)
string(LENGTH "${hex}" hex_length)
math(EXPR size "${hex_length} / 2")
# 0xAB, per byte; a line break every 16 bytes keeps the generated file readable.
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
string(REGEX REPLACE "((0x[0-9a-f][0-9a-f],){16})" "\\1\n" bytes "${bytes}")
if(size EQUAL 0)
  set(bytes "0x00,")
endif()
file(WRITE "${OUTPUT}.tmp"
"// Generated from ${INPUT} by embed_file.cmake: do not edit.
#include \"${HEADER}\"

namespace ${NAMESPACE} {
namespace {
constexpr unsigned char kBytes[] = {
${bytes}
};
}  // namespace

std::string_view ${FUNCTION}() {
  return {reinterpret_cast<const char*>(kBytes), ${size}};
}

}  // namespace ${NAMESPACE}
")
# Only touch OUTPUT when it changed (no needless recompiles).
file(COPY_FILE "${OUTPUT}.tmp" "${OUTPUT}" ONLY_IF_DIFFERENT)
file(REMOVE "${OUTPUT}.tmp")
