package event

import (
	"fmt"
	"path/filepath"
	"strings"
)

// CallSite is the frame that best answers "which line of the program made
// this call": the innermost Python frame when the interpreter's frames
// were read, else the innermost native frame with a source line, else the
// innermost symbolised frame outside the CUDA libraries. ok is false when
// no frame says anything.
func CallSite(frames []Frame) (f Frame, ok bool) {
	for _, fr := range frames {
		if fr.Lang != "" {
			return fr, true
		}
	}
	for _, fr := range frames {
		if fr.File != "" && fr.Line > 0 && !cudaModule(fr.Module) {
			return fr, true
		}
	}
	for _, fr := range frames {
		if fr.Symbol != "" && !cudaModule(fr.Module) {
			return fr, true
		}
	}
	return Frame{}, false
}

// cudaModule tells the libraries being traced from the program calling
// them: their frames are where the call lands, not where it was made.
func cudaModule(mod string) bool {
	for _, p := range []string{"libcudart", "libcuda.", "libcublas", "libcudnn", "libnccl", "libtorch_cuda", "libc10_cuda"} {
		if strings.HasPrefix(mod, p) {
			return true
		}
	}
	return false
}

// Site is a frame as one short line: "train.py:42 (step)",
// "workload.c:88 (loop)", or "loop in app" without a line.
func (f Frame) Site() string {
	switch {
	case f.File != "" && f.Line > 0 && f.Symbol != "":
		return fmt.Sprintf("%s:%d (%s)", filepath.Base(f.File), f.Line, f.Symbol)
	case f.File != "" && f.Line > 0:
		return fmt.Sprintf("%s:%d", filepath.Base(f.File), f.Line)
	case f.Symbol != "" && f.Module != "":
		return fmt.Sprintf("%s in %s", f.Symbol, f.Module)
	case f.Symbol != "":
		return f.Symbol
	case f.Module != "":
		return fmt.Sprintf("%#x in %s", f.IP, f.Module)
	}
	return fmt.Sprintf("%#x", f.IP)
}
