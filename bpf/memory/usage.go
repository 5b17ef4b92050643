package memory

import (
	"bufio"
	"bytes"
	"os"
	"strconv"

	"ingero.dev/common/event"
)

// usage reads a traced process's memory from /proc/PID/status: resident,
// swapped-out and anonymous resident bytes. ok is false once the process
// is gone.
func usage(pid uint32) (rss, swap, anon uint64, comm string, ok bool) {
	b, err := os.ReadFile("/proc/" + strconv.FormatUint(uint64(pid), 10) + "/status")
	if err != nil {
		return 0, 0, 0, "", false
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		key, val, found := bytes.Cut(sc.Bytes(), []byte(":"))
		if !found {
			continue
		}
		val = bytes.TrimSpace(val)
		switch string(key) {
		case "Name":
			comm = string(val)
		case "VmRSS":
			rss = kib(val)
		case "VmSwap":
			swap = kib(val)
		case "RssAnon":
			anon = kib(val)
		}
	}
	return rss, swap, anon, comm, true
}

// kib parses "1234 kB" into bytes.
func kib(v []byte) uint64 {
	num, _, _ := bytes.Cut(v, []byte(" "))
	n, err := strconv.ParseUint(string(num), 10, 64)
	if err != nil {
		return 0
	}
	return n << 10
}

// usageEvents appends one mem_usage event per traced process still alive.
func usageEvents(now int64, pids []uint32, batch []event.Event) []event.Event {
	for _, pid := range pids {
		rss, swap, anon, comm, ok := usage(pid)
		if !ok {
			continue
		}
		batch = append(batch, event.Event{
			TimeNs: now, PID: pid, TID: pid, Comm: comm,
			Source: event.SourceHost, Op: event.MemUsage,
			Args: [4]uint64{rss, swap, anon}, GPU: -1,
		})
	}
	return batch
}
