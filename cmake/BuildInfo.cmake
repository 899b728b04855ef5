# Writes <build>/generated/app/cli/build_info.hpp: the git revision, compiler
# and flags of this build, for the records of `spikecube-cli bench --json`.
# Taken when CMake configures (re-run cmake to refresh the revision); the
# header is rewritten only when its text changes, so rebuilds stay cheap.
set(SPIKECUBE_GIT_REVISION "unknown")
find_package(Git QUIET)
if(GIT_FOUND)
  execute_process(COMMAND ${GIT_EXECUTABLE} rev-parse --short=12 HEAD
                  WORKING_DIRECTORY ${PROJECT_SOURCE_DIR} OUTPUT_VARIABLE _rev
                  RESULT_VARIABLE _rev_rc OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
  if(_rev_rc EQUAL 0 AND _rev)
    set(SPIKECUBE_GIT_REVISION "${_rev}")
    execute_process(COMMAND ${GIT_EXECUTABLE} status --porcelain --untracked-files=no
                    WORKING_DIRECTORY ${PROJECT_SOURCE_DIR} OUTPUT_VARIABLE _dirty ERROR_QUIET)
    if(_dirty)
      string(APPEND SPIKECUBE_GIT_REVISION "-dirty")
    endif()
  endif()
endif()

set(SPIKECUBE_COMPILER "${CMAKE_CXX_COMPILER_ID} ${CMAKE_CXX_COMPILER_VERSION}")
string(TOUPPER "${CMAKE_BUILD_TYPE}" _type)
get_directory_property(_opts COMPILE_OPTIONS)
list(JOIN _opts " " _opts)
string(STRIP "${CMAKE_CXX_FLAGS} ${CMAKE_CXX_FLAGS_${_type}} ${_opts}" SPIKECUBE_CXX_FLAGS)

# what -march=native means on the building machine (e.g. znver4, sapphirerapids)
set(SPIKECUBE_MARCH_NATIVE "")
if(SPIKECUBE_NATIVE AND CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
  execute_process(COMMAND ${CMAKE_CXX_COMPILER} -march=native -Q --help=target
                  OUTPUT_VARIABLE _target ERROR_QUIET)
  string(REGEX MATCH "-march=[ \t]+([^ \t\n]+)" _m "${_target}")
  set(SPIKECUBE_MARCH_NATIVE "${CMAKE_MATCH_1}")
endif()

configure_file(${PROJECT_SOURCE_DIR}/cmake/build_info.hpp.in
               ${PROJECT_BINARY_DIR}/generated/app/cli/build_info.hpp @ONLY)
