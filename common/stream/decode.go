package stream

import (
	"encoding/json"
	"fmt"

	"ingero.dev/common/batch"
)

// decode turns an intact frame's payload into records. Frames of unknown
// kinds come back empty, undecoded.
func (r *Reader) decode(kind Kind, payload []byte) (Frame, error) {
	f := Frame{Kind: kind}
	if !kind.known() {
		return f, nil
	}
	env, raw, err := r.unpack(payload)
	if err != nil {
		return f, err
	}
	switch kind {
	case KindEvents:
		if r.opts.payloads {
			f.Payload = payload
			return f, nil
		}
		if r.events, err = batch.Decode(raw, r.events[:0]); err != nil {
			return f, err
		}
		if uint64(len(r.events)) != env.count {
			return f, fmt.Errorf("batch holds %d events, the envelope says %d", len(r.events), env.count)
		}
		f.Events = r.events
	case KindStacks:
		f.Stacks, err = decodeRecords(raw, env.count, stackWire.record)
	case KindSnapshots:
		f.Snapshots, err = decodeRecords(raw, env.count, snapshotWire.record)
	case KindProcesses:
		f.Processes, err = decodeRecords(raw, env.count, processWire.record)
	case KindChains:
		f.Chains, err = decodeRecords(raw, env.count, chainWire.record)
	case KindAnnotations:
		f.Annotations, err = decodeRecords(raw, env.count, annotationWire.record)
	case KindHeader:
		f.Header = new(Header)
		if err = decodeJSON(raw, f.Header); err == nil {
			r.trailer = nil // a new session starts; its own trailer may follow
		}
	case KindTrailer:
		var w trailerWire
		if err = decodeJSON(raw, &w); err == nil {
			t := w.trailer()
			f.Trailer, r.trailer = &t, &t
		}
	}
	return f, err
}

func decodeRecords[W, T any](raw []byte, count uint64, record func(W) T) ([]T, error) {
	var ws []W
	if err := decodeJSON(raw, &ws); err != nil {
		return nil, err
	}
	if uint64(len(ws)) != count {
		return nil, fmt.Errorf("frame holds %d records, the envelope says %d", len(ws), count)
	}
	out := make([]T, len(ws))
	for i, w := range ws {
		out[i] = record(w)
	}
	return out, nil
}

func decodeJSON(raw []byte, v any) error {
	if err := json.Unmarshal(raw, v); err != nil {
		return fmt.Errorf("decoding JSON content: %w", err)
	}
	return nil
}
