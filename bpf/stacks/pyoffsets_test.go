package stacks

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestOffsetTablesMatchHeaders builds testdata/offsets.c against the
// headers of each CPython 3.10-3.12 installed here and compares what it
// prints with pyLayouts.
func TestOffsetTablesMatchHeaders(t *testing.T) {
	gcc, err := exec.LookPath("gcc")
	if err != nil {
		t.Skip("gcc not found: install gcc")
	}
	checked := 0
	for minor, py := range pythons() {
		lay, ok := pyLayouts[minor]
		if !ok {
			continue // 3.13 reads its offsets from the interpreter
		}
		inc := filepath.Join(filepath.Dir(filepath.Dir(py)), "include", fmt.Sprintf("python3.%d", minor))
		if _, err := os.Stat(filepath.Join(inc, "internal")); err != nil {
			continue // no internal headers installed with this one
		}
		t.Run(fmt.Sprintf("3.%d", minor), func(t *testing.T) {
			bin := filepath.Join(t.TempDir(), "offsets")
			if out, err := exec.Command(gcc, "-I"+inc, "-o", bin, "testdata/offsets.c").CombinedOutput(); err != nil {
				t.Fatalf("building against %s: %v\n%s", inc, err, out)
			}
			out, err := exec.Command(bin).Output()
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]uint64{}
			sc := bufio.NewScanner(bytes.NewReader(out))
			for sc.Scan() {
				k, v, _ := strings.Cut(sc.Text(), "=")
				got[k], _ = strconv.ParseUint(v, 10, 64)
			}
			want := map[string]uint64{
				"runtime_interp_head": lay.interpHead, "interp_threads_head": lay.threadsHead, "tstate_next": lay.tsNext,
				"tstate_thread_id": lay.tsThreadID, "code_filename": lay.coFilename, "code_firstlineno": lay.coFirstLine,
				"code_linetable": lay.coLinetable, "ascii_size": lay.asciiSize, "compact_size": lay.compactSize,
			}
			if minor == 10 {
				want["tstate_frame"], want["frame_back"], want["frame_code"], want["frame_lasti"] = lay.tsFrame, lay.frPrevious, lay.frCode, lay.frInstr
				want["code_name"] = lay.coName
			} else {
				want["tstate_native_thread_id"], want["tstate_cframe"] = lay.tsNativeTID, lay.tsFrame
				want["cframe_current_frame"] = uint64(lay.cframeFrame)
				want["frame_code"], want["frame_previous"], want["frame_prev_instr"] = lay.frCode, lay.frPrevious, lay.frInstr
				want["frame_owner"], want["code_adaptive"], want["code_qualname"] = uint64(lay.frOwner), lay.coCode, lay.coName
			}
			for k, v := range want {
				if g, ok := got[k]; !ok || g != v {
					t.Errorf("%s: headers say %d (printed: %v), table says %d", k, g, ok, v)
				}
			}
		})
		checked++
	}
	if checked == 0 {
		t.Skip("no CPython 3.10-3.12 with internal headers here")
	}
}
