/* Prints the offsets the walker's table holds for one CPython 3.10-3.12,
 * from that version's own (internal) headers; pyoffsets_test.go builds it
 * against every installed version and compares. */
#define Py_BUILD_CORE 1
#include <Python.h>
#include <stddef.h>
#include <stdio.h>
#include <frameobject.h>
#include "internal/pycore_runtime.h"
#include "internal/pycore_interp.h"
#if PY_MINOR_VERSION >= 11
#include "internal/pycore_frame.h"
#endif
#define P(name, expr) printf("%s=%zu\n", name, (size_t)(expr))
int main(void){
P("runtime_interp_head", offsetof(_PyRuntimeState, interpreters.head));
#if PY_MINOR_VERSION == 10
P("interp_threads_head", offsetof(PyInterpreterState, tstate_head));
#else
P("interp_threads_head", offsetof(PyInterpreterState, threads.head));
#endif
P("tstate_next", offsetof(PyThreadState, next));
P("tstate_thread_id", offsetof(PyThreadState, thread_id));
#if PY_MINOR_VERSION >= 11
P("tstate_native_thread_id", offsetof(PyThreadState, native_thread_id));
#endif
#if PY_MINOR_VERSION == 10
P("tstate_frame", offsetof(PyThreadState, frame));
P("frame_back", offsetof(PyFrameObject, f_back));
P("frame_code", offsetof(PyFrameObject, f_code));
P("frame_lasti", offsetof(PyFrameObject, f_lasti));
P("code_code", offsetof(PyCodeObject, co_code));
#elif PY_MINOR_VERSION <= 12
P("tstate_cframe", offsetof(PyThreadState, cframe));
P("cframe_current_frame", offsetof(_PyCFrame, current_frame));
P("frame_code", offsetof(_PyInterpreterFrame, f_code));
P("frame_previous", offsetof(_PyInterpreterFrame, previous));
P("frame_prev_instr", offsetof(_PyInterpreterFrame, prev_instr));
P("frame_owner", offsetof(_PyInterpreterFrame, owner));
P("code_adaptive", offsetof(PyCodeObject, co_code_adaptive));
P("code_qualname", offsetof(PyCodeObject, co_qualname));
#endif
P("code_filename", offsetof(PyCodeObject, co_filename));
P("code_name", offsetof(PyCodeObject, co_name));
P("code_firstlineno", offsetof(PyCodeObject, co_firstlineno));
P("code_linetable", offsetof(PyCodeObject, co_linetable));
P("ascii_size", sizeof(PyASCIIObject));
P("compact_size", sizeof(PyCompactUnicodeObject));
P("bytes_sval", offsetof(PyBytesObject, ob_sval));
P("bytes_size", offsetof(PyBytesObject, ob_base.ob_size));
return 0;}
