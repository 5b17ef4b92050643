module ingero.dev/bpf

go 1.26.0

require (
	github.com/cilium/ebpf v0.22.0
	golang.org/x/sys v0.49.0
	ingero.dev/common v0.0.0
)

replace ingero.dev/common => ../common

tool github.com/cilium/ebpf/cmd/bpf2go
