package stream

import "ingero.dev/common/event"

// Header opens every stream: who recorded it, where, when, and the clock
// reference that maps kernel timestamps to wall time.
type Header struct {
	SessionID string `json:"session_id"`
	Node      string `json:"node"`
	Host      string `json:"host"`
	// StartNs is the wall clock at the start, Unix nanoseconds, and
	// ClockMonoNs is CLOCK_MONOTONIC read at the same instant.
	StartNs     int64             `json:"start_ns"`
	ClockMonoNs int64             `json:"clock_mono_ns"`
	Version     string            `json:"version"` // ingero version of the writer
	Kernel      string            `json:"kernel,omitempty"`
	GPUModel    string            `json:"gpu_model,omitempty"`
	GPUDriver   string            `json:"gpu_driver,omitempty"`
	CUDAVersion string            `json:"cuda_version,omitempty"`
	Flags       map[string]string `json:"flags,omitempty"` // the flags trace ran with
	PIDFilter   []uint32          `json:"pid_filter,omitempty"`
}

// HeaderFromSession takes the fields a stream header carries from s.
func HeaderFromSession(s event.Session) Header {
	return Header{
		SessionID: s.ID, Node: s.Node, Host: s.Host,
		StartNs: s.StartNs, ClockMonoNs: s.ClockMonoNs, Version: s.Version,
		Kernel: s.Kernel, GPUModel: s.GPUModel, GPUDriver: s.GPUDriver, CUDAVersion: s.CUDAVersion,
		Flags: s.Flags, PIDFilter: s.PIDFilter,
	}
}

// Trailer closes a stream that ended cleanly. A stream cut off by a crash
// or a kill has none, and its drop counts are unknown.
type Trailer struct {
	StopNs int64 // wall clock at the stop, Unix nanoseconds
	Stats  event.SessionStats
	// What the writer itself put in the stream before the trailer, so a
	// reader can tell how much it lost to damage.
	EventsWritten uint64
	FramesWritten uint64 // the header frame included
}

type trailerWire struct {
	StopNs        int64  `json:"stop_ns"`
	Events        uint64 `json:"events"`
	KernelDrops   uint64 `json:"kernel_drops"`
	UserDrops     uint64 `json:"user_drops"`
	SampledOut    uint64 `json:"sampled_out"`
	EventsWritten uint64 `json:"events_written"`
	FramesWritten uint64 `json:"frames_written"`
}

func (t Trailer) wire() trailerWire {
	return trailerWire{
		StopNs: t.StopNs, Events: t.Stats.Events, KernelDrops: t.Stats.KernelDrops,
		UserDrops: t.Stats.UserDrops, SampledOut: t.Stats.SampledOut,
		EventsWritten: t.EventsWritten, FramesWritten: t.FramesWritten,
	}
}

func (w trailerWire) trailer() Trailer {
	return Trailer{
		StopNs: w.StopNs,
		Stats: event.SessionStats{
			Events: w.Events, KernelDrops: w.KernelDrops, UserDrops: w.UserDrops, SampledOut: w.SampledOut,
		},
		EventsWritten: w.EventsWritten, FramesWritten: w.FramesWritten,
	}
}

// Session rebuilds the session record from a header and, when the stream
// ended cleanly, its trailer (nil otherwise: StopNs and Stats stay zero).
func Session(h Header, t *Trailer) event.Session {
	s := event.Session{
		ID: h.SessionID, Node: h.Node, Host: h.Host, StartNs: h.StartNs,
		Kernel: h.Kernel, GPUModel: h.GPUModel, GPUDriver: h.GPUDriver, CUDAVersion: h.CUDAVersion,
		Version: h.Version, Flags: h.Flags, PIDFilter: h.PIDFilter, ClockMonoNs: h.ClockMonoNs,
	}
	if t != nil {
		s.StopNs, s.Stats = t.StopNs, t.Stats
	}
	return s
}
