module ingero.dev/ingero

go 1.26.0

require (
	ingero.dev/common v0.0.0
	ingero.dev/ingero-annotate v0.0.0
	ingero.dev/ingero-check v0.0.0
	ingero.dev/ingero-dashboard v0.0.0
	ingero.dev/ingero-demo v0.0.0
	ingero.dev/ingero-explain v0.0.0
	ingero.dev/ingero-export v0.0.0
	ingero.dev/ingero-mcp v0.0.0
	ingero.dev/ingero-merge v0.0.0
	ingero.dev/ingero-query v0.0.0
	ingero.dev/ingero-trace v0.0.0
)

require github.com/peterbourgon/ff/v3 v3.4.0

require (
	github.com/NVIDIA/go-nvml v0.13.4-1 // indirect
	github.com/cilium/ebpf v0.22.0 // indirect
	github.com/google/jsonschema-go v0.4.3 // indirect
	github.com/klauspost/compress v1.20.4 // indirect
	github.com/modelcontextprotocol/go-sdk v1.8.0 // indirect
	github.com/ncruces/go-sqlite3 v0.37.0 // indirect
	github.com/ncruces/go-sqlite3-wasm/v6 v6.5.35401 // indirect
	github.com/ncruces/julianday v1.0.0 // indirect
	github.com/segmentio/asm v1.1.3 // indirect
	github.com/segmentio/encoding v0.5.4 // indirect
	github.com/yosida95/uritemplate/v3 v3.0.2 // indirect
	golang.org/x/oauth2 v0.35.0 // indirect
	golang.org/x/sync v0.24.0 // indirect
	golang.org/x/sys v0.49.0 // indirect
	golang.org/x/time v0.15.0 // indirect
	ingero.dev/bpf v0.0.0 // indirect
	ingero.dev/common/gpu v0.0.0 // indirect
)

replace (
	ingero.dev/bpf => ../bpf
	ingero.dev/common => ../common
	ingero.dev/common/gpu => ../common/gpu
	ingero.dev/ingero-annotate => ../ingero-annotate
	ingero.dev/ingero-check => ../ingero-check
	ingero.dev/ingero-dashboard => ../ingero-dashboard
	ingero.dev/ingero-demo => ../ingero-demo
	ingero.dev/ingero-explain => ../ingero-explain
	ingero.dev/ingero-export => ../ingero-export
	ingero.dev/ingero-mcp => ../ingero-mcp
	ingero.dev/ingero-merge => ../ingero-merge
	ingero.dev/ingero-query => ../ingero-query
	ingero.dev/ingero-trace => ../ingero-trace
)
