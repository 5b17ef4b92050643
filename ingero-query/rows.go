package query

import (
	"bufio"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"
	"text/tabwriter"

	"ingero.dev/common/adhoc"
	"ingero.dev/common/cli"
	"ingero.dev/common/hist"
	"ingero.dev/common/ndjson"
)

// writeRowsTable prints a result as aligned columns; it is bounded by the
// row cap, so waiting for the widest cell costs little.
func writeRowsTable(w io.Writer, res *adhoc.Result, maxRows int) error {
	bw := bufio.NewWriter(w)
	tw := tabwriter.NewWriter(bw, 0, 0, 2, ' ', 0)
	for i, col := range res.Columns {
		if i > 0 {
			io.WriteString(tw, "\t")
		}
		io.WriteString(tw, ndjson.Printable(col))
	}
	io.WriteString(tw, "\n")
	for _, row := range res.Rows {
		for i, v := range row {
			if i > 0 {
				io.WriteString(tw, "\t")
			}
			io.WriteString(tw, cellText(v))
		}
		io.WriteString(tw, "\n")
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	n := int64(len(res.Rows))
	if res.Truncated {
		fmt.Fprintf(bw, "(%s rows shown: stopped at --max-rows %d; the statement returns more, so add LIMIT or raise --max-rows)\n", hist.FormatCount(n), maxRows)
	} else {
		fmt.Fprintf(bw, "(%s %s)\n", hist.FormatCount(n), plural(n, "row", "rows"))
	}
	return bw.Flush()
}

// cellText shows one SQL value; long blobs are summarised, since --json
// carries them whole.
func cellText(v any) string {
	switch v := v.(type) {
	case nil:
		return "NULL"
	case int64:
		return strconv.FormatInt(v, 10)
	case float64:
		return strconv.FormatFloat(v, 'g', -1, 64)
	case string:
		return ndjson.Printable(v)
	case []byte:
		if len(v) > 32 {
			return fmt.Sprintf("<%d-byte blob>", len(v))
		}
		return "0x" + hex.EncodeToString(v)
	}
	return fmt.Sprint(v)
}

// writeRowsJSON prints one object per row, keyed by column name in column
// order. Repeated names get _2, _3… so no value is lost to a duplicate
// key. Blobs are "0x…" hex strings; NaN and infinities, which JSON cannot
// hold, are null.
func writeRowsJSON(stdio cli.Stdio, res *adhoc.Result, maxRows int) error {
	keys := uniqueKeys(res.Columns)
	bw := bufio.NewWriter(stdio.Out)
	var line []byte
	for _, row := range res.Rows {
		line = append(line[:0], '{')
		for i, v := range row {
			if i > 0 {
				line = append(line, ',')
			}
			line = append(line, keys[i]...)
			line = append(line, ':')
			line = appendValue(line, v)
		}
		line = append(line, "}\n"...)
		if _, err := bw.Write(line); err != nil {
			return err
		}
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	if res.Truncated {
		fmt.Fprintf(stdio.Err, "ingero query: stopped at --max-rows %d; the statement returns more rows\n", maxRows)
	}
	return nil
}

// uniqueKeys returns each column's name as a JSON string, with a suffix
// on repeats.
func uniqueKeys(cols []string) [][]byte {
	seen := map[string]bool{}
	out := make([][]byte, len(cols))
	for i, c := range cols {
		name := c
		for n := 2; seen[name]; n++ {
			name = c + "_" + strconv.Itoa(n)
		}
		seen[name] = true
		out[i], _ = json.Marshal(name)
	}
	return out
}

func appendValue(dst []byte, v any) []byte {
	switch v := v.(type) {
	case int64:
		return strconv.AppendInt(dst, v, 10)
	case float64:
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return append(dst, "null"...)
		}
		return strconv.AppendFloat(dst, v, 'g', -1, 64)
	case string:
		b, _ := json.Marshal(v)
		return append(dst, b...)
	case []byte:
		dst = append(dst, `"0x`...)
		dst = hex.AppendEncode(dst, v)
		return append(dst, '"')
	}
	return append(dst, "null"...)
}
