package ndjson

import "ingero.dev/common/event"

// argKind says how one Args slot is written.
type argKind uint8

const (
	kindNum   argKind = iota // unsigned decimal number: sizes, counts, cpus
	kindHex                  // "0x…" string: pointers and handles, which exceed 2^53
	kindInt                  // signed decimal number, for values the kernel reports as int
	kindBool                 // true/false when the value is 0 or 1
	kindCopy                 // "H2H", "H2D", "D2H", "D2D", "default" (cudaMemcpyKind 0–4)
	kindPorts                // two numbers, sport and dport, from sport<<16|dport
	kindRank                 // two numbers, rank and nranks, from rank | nranks<<32
)

// argField names one Args slot; an empty name leaves the slot unnamed.
type argField struct {
	name string
	kind argKind
}

// argSpec names the four Args slots of an op. A slot whose value does not
// fit its kind (a memcpy kind of 7, a flag of 2), or that has no name but
// a non-zero value, is written as "argN" with its raw number instead, so
// nothing is lost.
type argSpec [4]argField

var copyKinds = [...]string{"H2H", "H2D", "D2H", "D2D", "default"}

var (
	size     = argField{"size", kindNum}
	ptr      = argField{"ptr", kindHex}
	flags    = argField{"flags", kindNum}
	bytesArg = argField{"bytes", kindNum}
	copyKind = argField{"kind", kindCopy}
	stream   = argField{"stream", kindHex}
	function = argField{"function", kindHex}
	grid     = argField{"grid", kindNum}
	block    = argField{"block", kindNum}
	cpu      = argField{"cpu", kindNum}
	device   = argField{"device", kindNum}
	comm     = argField{"comm", kindHex}
)

var (
	allocArgs   = argSpec{size, ptr}
	managedArgs = argSpec{size, ptr, flags}
	freeArgs    = argSpec{ptr, size}
	launchArgs  = argSpec{function, stream, grid, block}
	copyArgs    = argSpec{bytesArg, copyKind}
	asyncArgs   = argSpec{bytesArg, copyKind, stream}
	streamArgs  = argSpec{stream}
	noArgs      = argSpec{}
	blockIOArgs = argSpec{bytesArg, {"sector", kindNum}, device}
	commHash    = argField{"comm_hash", kindHex}
	rankArg     = argField{"rank", kindRank}
	collArgs    = argSpec{bytesArg, commHash, stream, rankArg}
	p2pArgs     = argSpec{bytesArg, commHash, {"peer", kindNum}, rankArg}
	faultArgs   = argSpec{{"faults", kindNum}, {"max_ns", kindNum}, {"writes", kindNum}, {"fetches", kindNum}}
)

// opArgs is keyed by op name; a test makes sure every registered op has an
// entry, so a new op cannot ship without deciding its field names.
var opArgs = map[string]argSpec{
	"cudaMalloc":            allocArgs,
	"cudaFree":              freeArgs,
	"cudaMallocManaged":     managedArgs,
	"cudaMallocHost":        allocArgs,
	"cudaLaunchKernel":      launchArgs,
	"cudaMemcpy":            copyArgs,
	"cudaMemcpyAsync":       asyncArgs,
	"cudaMemcpy2D":          copyArgs,
	"cudaMemcpy2DAsync":     asyncArgs,
	"cudaMemcpyPeer":        {bytesArg, copyKind, {"dst_device", kindNum}, {"src_device", kindNum}},
	"cudaMemcpyPeerAsync":   asyncArgs,
	"cudaStreamSynchronize": streamArgs,
	"cudaDeviceSynchronize": noArgs,
	"cudaEventSynchronize":  {{"event", kindHex}},
	"cudaFreeHost":          freeArgs,

	"cuLaunchKernel":      launchArgs,
	"cuLaunchKernelEx":    launchArgs,
	"cuMemAlloc":          allocArgs,
	"cuMemFree":           freeArgs,
	"cuMemAllocManaged":   managedArgs,
	"cuMemcpy":            copyArgs,
	"cuMemcpyAsync":       asyncArgs,
	"cuMemcpyHtoD":        copyArgs,
	"cuMemcpyDtoH":        copyArgs,
	"cuMemcpyDtoD":        copyArgs,
	"cuMemcpyHtoDAsync":   asyncArgs,
	"cuMemcpyDtoHAsync":   asyncArgs,
	"cuMemcpyDtoDAsync":   asyncArgs,
	"cuStreamSynchronize": streamArgs,
	"cuCtxSynchronize":    noArgs,

	"cudaStreamBeginCapture": {stream, {"mode", kindNum}},
	"cudaStreamEndCapture":   {stream, {"graph", kindHex}},
	"cudaGraphInstantiate":   {{"graph", kindHex}, {"exec", kindHex}, {"flags", kindNum}, {"variant", kindNum}},
	"cudaGraphLaunch":        {{"exec", kindHex}, stream},
	"cuGraphLaunch":          {{"exec", kindHex}, stream},

	"sched_switch":   {cpu, {"preempted", kindBool}},
	"sched_wakeup":   {cpu},
	"process_fork":   noArgs,
	"process_exec":   noArgs,
	"process_exit":   {{"exit_code", kindInt}},
	"oom_kill":       {{"pages", kindNum}},
	"mm_page_alloc":  {bytesArg},
	"cpu_contention": {cpu, {"switches", kindNum}},
	"mm_fault_minor": faultArgs,
	"mm_fault_file":  faultArgs,
	"mm_swap_in":     faultArgs,
	"mm_reclaim":     {{"kind", kindNum}, {"pages", kindNum}, {"order", kindInt}},
	"mm_compaction":  {{"order", kindInt}, {"status", kindInt}},
	"mem_usage":      {{"rss_bytes", kindNum}, {"swap_bytes", kindNum}, {"anon_bytes", kindNum}},

	"block_read":    blockIOArgs,
	"block_write":   blockIOArgs,
	"block_discard": blockIOArgs,
	"block_flush":   {device},

	"tcp_retransmit": {{"saddr", kindNum}, {"daddr", kindNum}, {"ports", kindPorts}, {"family", kindNum}},

	"net_send": {{"fd", kindNum}, bytesArg},
	"net_recv": {{"fd", kindNum}, bytesArg},

	"ncclAllReduce":     collArgs,
	"ncclAllGather":     collArgs,
	"ncclReduceScatter": collArgs,
	"ncclBroadcast":     collArgs,
	"ncclSend":          p2pArgs,
	"ncclRecv":          p2pArgs,
	"ncclCommInitRank":  {{"nranks", kindNum}, {"rank", kindNum}, commHash},
	"ncclCommDestroy":   {comm, commHash, {}, rankArg},

	"drops":           {{"kernel_drops", kindNum}, {"user_drops", kindNum}, {"sampled_out", kindNum}},
	"sampling_change": {{"rate", kindNum}},
}

// fits reports whether v can be written as the slot's named field.
func (f argField) fits(v uint64) bool {
	switch f.kind {
	case kindBool:
		return v <= 1
	case kindCopy:
		return v < uint64(len(copyKinds))
	case kindPorts:
		return v <= 0xffffffff
	case kindRank:
		return true
	}
	return f.name != ""
}

// specFor returns the op's spec, or all-unnamed slots for ops this build
// does not know.
func specFor(s event.Source, o event.Op) argSpec {
	if oi, ok := event.LookupOp(s, o); ok {
		return opArgs[oi.Name]
	}
	return noArgs
}
