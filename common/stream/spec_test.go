package stream

import (
	"bytes"
	"encoding/hex"
	"strings"
	"testing"
)

// TestSpecExample pins the bytes that docs/stream-format.md §9 shows;
// when it fails, the format changed or the document must.
func TestSpecExample(t *testing.T) {
	var buf bytes.Buffer
	if _, err := NewWriter(&buf, Header{SessionID: "n7:1", Node: "n7", StartNs: 1, ClockMonoNs: 2, Version: "v0.1.0"}); err != nil {
		t.Fatal(err)
	}
	want := strings.Join([]string{
		"89494e4745524f0a", "01000000", // magic, version
		"ee49461d", "01", "70000000", "f8511ae3", // sync, kind, length, header CRC
		"01", "5d", "4bd10532", "28b52ffd", // count, raw length, raw CRC, zstd magic
	}, "")
	got := hex.EncodeToString(buf.Bytes())
	if !strings.HasPrefix(got, want) || !strings.HasSuffix(got, "79b25ebd"+"1dceb168") {
		t.Fatalf("stream begins\n%s\nwant\n%s…79b25ebd1dceb168", got, want)
	}
	if checksum([]byte("123456789")) != 0xE3069283 {
		t.Fatal("checksum is not CRC32C")
	}
}
