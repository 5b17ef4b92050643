// Package net loads and attaches the network family from tracepoints
// only: TCP retransmissions host-wide (source tcp) and the send/recv
// system calls of traced processes (source net). See net.c for what each
// record holds.
package net

import (
	"fmt"
	"sync"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/link"

	"ingero.dev/bpf/ring"
	"ingero.dev/bpf/shared"
	"ingero.dev/common/event"
)

// DefaultRingBytes holds about 10,000 records of 96 bytes.
const DefaultRingBytes = 1 << 20

// Options configure a Tracer.
type Options struct {
	RingBytes int
	Clock     ring.Clock
	Reader    ring.Options
}

// Tracer is a loaded network probe family.
type Tracer struct {
	coll   *ebpf.Collection
	reader *ring.Reader
	bg     *ring.Background

	mu    sync.Mutex
	links []link.Link
}

// Load loads the programs, sharing m's maps (the traced targets).
func Load(m *shared.Maps, opts Options) (*Tracer, error) {
	if opts.Clock == (ring.Clock{}) {
		opts.Clock = ring.NewClock()
	}
	spec, err := loadNet()
	if err != nil {
		return nil, err
	}
	if _, err = ring.Configure(spec, netMapNetEvents, netVarWakeBytes, opts.RingBytes, DefaultRingBytes); err != nil {
		return nil, err
	}
	coll, err := ebpf.NewCollectionWithOptions(spec, ebpf.CollectionOptions{MapReplacements: m.Replacements()})
	if err != nil {
		return nil, fmt.Errorf("loading network probes: %w", err)
	}
	t := &Tracer{coll: coll}
	t.reader, err = ring.NewReader(coll.Maps[netMapNetEvents], (&decoder{clock: opts.Clock}).decode, opts.Reader)
	if err != nil {
		coll.Close()
		return nil, err
	}
	t.bg = ring.NewBackground(t.reader)
	return t, nil
}

// syscallProgs are the send/recv tracepoints, by name under syscalls/.
var syscallProgs = map[string]string{
	"sys_enter_sendto": netProgSendTo, "sys_exit_sendto": netProgSendToExit,
	"sys_enter_sendmsg": netProgSendMsg, "sys_exit_sendmsg": netProgSendMsgExit,
	"sys_enter_recvfrom": netProgRecvFrom, "sys_exit_recvfrom": netProgRecvFromExit,
	"sys_enter_recvmsg": netProgRecvMsg, "sys_exit_recvmsg": netProgRecvMsgExit,
}

// Attach attaches the tracepoints: exits before entries, so that no call
// is entered without its exit to end it.
func (t *Tracer) Attach() (warnings []error, err error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	l, err := link.AttachTracing(link.TracingOptions{Program: t.coll.Programs[netProgTcpRetransmit]})
	if err != nil {
		return nil, fmt.Errorf("attaching tracepoint tcp_retransmit_skb: %w", err)
	}
	t.links = append(t.links, l)
	for _, phase := range []string{"sys_exit_", "sys_enter_"} {
		for _, call := range []string{"sendto", "sendmsg", "recvfrom", "recvmsg"} {
			name := phase + call
			l, err := link.Tracepoint("syscalls", name, t.coll.Programs[syscallProgs[name]], nil)
			if err != nil {
				return nil, fmt.Errorf("attaching tracepoint syscalls/%s: %w", name, err)
			}
			t.links = append(t.links, l)
		}
	}
	return nil, nil
}

// Start reads records into batches for sink until Close.
func (t *Tracer) Start(sink func([]event.Event)) { t.bg.Start(sink) }

// Stats returns the reader's counts; ring losses are in shared.Counters
// under event.SourceTCP and event.SourceNet.
func (t *Tracer) Stats() ring.Stats { return t.reader.Stats() }

// Close detaches, delivers what is left and releases everything.
func (t *Tracer) Close() error {
	t.mu.Lock()
	links := t.links
	t.links = nil
	t.mu.Unlock()
	for _, l := range links {
		l.Close()
	}
	err := t.bg.Stop()
	t.coll.Close()
	return err
}
