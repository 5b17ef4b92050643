// Package stream is ingero's recording file format: a magic and version,
// then self-delimiting frames that each carry one kind of record (a batch
// of events, stacks, snapshots, process names, chains, annotations) and
// end with a checksum. ingero trace writes it to a file or a pipe; the
// read-only commands read it with bounded memory.
//
// The format is a public contract, specified byte by byte in
// docs/stream-format.md. Two properties shape it:
//
//   - Every frame is complete on its own, so a reader of a pipe or of a
//     file cut off by a crash gets every frame written before the cut.
//   - Every frame begins with a sync marker and a checksummed header, so a
//     reader that meets damage reports it, finds the next intact frame and
//     carries on.
package stream
