module ingero.dev/ingero-trace

go 1.26.0

require (
	github.com/peterbourgon/ff/v3 v3.4.0
	ingero.dev/common v0.0.0
)

replace ingero.dev/common => ../common

require ingero.dev/bpf v0.0.0

require (
	github.com/NVIDIA/go-nvml v0.13.4-1 // indirect
	github.com/cilium/ebpf v0.22.0 // indirect
	github.com/klauspost/compress v1.20.4 // indirect
	github.com/ncruces/go-sqlite3 v0.37.0 // indirect
	github.com/ncruces/go-sqlite3-wasm/v6 v6.5.35401 // indirect
	github.com/ncruces/julianday v1.0.0 // indirect
)

replace ingero.dev/bpf => ../bpf

require (
	golang.org/x/sys v0.49.0
	ingero.dev/common/gpu v0.0.0
)

replace ingero.dev/common/gpu => ../common/gpu
