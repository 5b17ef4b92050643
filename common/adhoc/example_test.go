package adhoc_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"ingero.dev/common/adhoc"
	"ingero.dev/common/event"
	"ingero.dev/common/store"
)

// An MCP tool or a dashboard endpoint serves SQL from one Service per
// recording, with limits of its own; the answer marshals as it is.
func ExampleService_Run() {
	dir, _ := os.MkdirTemp("", "adhoc-example-")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "ingero.db")
	w, _ := store.OpenWriter(path, store.Options{FlushInterval: -1})
	w.Append([]event.Event{
		{TimeNs: 1_779_637_200_000_000_000, PID: 4821, Comm: "python3", Source: event.SourceCUDA, Op: event.CudaMemcpy, DurNs: 42000},
		{TimeNs: 1_779_637_200_100_000_000, PID: 4821, Comm: "python3", Source: event.SourceCUDA, Op: event.CudaMemcpy, DurNs: 38000, Ret: 1},
	})
	w.Close()
	r, _ := store.OpenReadOnly(path)
	defer r.Close()

	svc := adhoc.New(r, adhoc.Limits{DefaultRows: 100, MaxRows: 1000, Timeout: 5 * time.Second, MaxCell: 4096, MaxValue: 64 << 20})
	res, err := svc.Run(context.Background(), adhoc.Request{
		SQL: "SELECT op_name, count(*) AS n, max(duration_ns) AS max_ns FROM events WHERE pid = ? GROUP BY 1", Args: []any{4821},
	})
	if err != nil {
		panic(err)
	}
	res.ElapsedNs = 0 // varies
	b, _ := json.Marshal(res)
	fmt.Println(string(b))

	_, err = svc.Run(context.Background(), adhoc.Request{SQL: "DELETE FROM event_chunks"})
	fmt.Println(errors.Is(err, adhoc.ErrRefused))
	// Output:
	// {"columns":["op_name","n","max_ns"],"rows":[["cudaMemcpy",2,42000]],"truncated":false,"row_cap":100,"cut_cells":0,"elapsed_ns":0}
	// true
}
