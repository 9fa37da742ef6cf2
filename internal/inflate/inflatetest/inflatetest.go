// Package inflatetest builds decompression bombs quickly, for the tests
// and the hostile-input harness: a flushed deflate block of a repeated
// pattern, repeated, so that a file inflating to gigabytes takes a moment
// and a few megabytes.
package inflatetest

import (
	"bytes"
	"compress/flate"
	"encoding/binary"
	"hash/crc32"
)

const chunk = 16 << 20

// block deflates data as one byte-aligned run of blocks (Flush, or Close
// when final), from a fresh window: it refers only to its own output, so
// copies of it can follow one another.
func block(data []byte, final bool) []byte {
	var buf bytes.Buffer
	fw, _ := flate.NewWriter(&buf, flate.BestCompression)
	fw.Write(data)
	if final {
		fw.Close()
	} else {
		fw.Flush()
	}
	return buf.Bytes()
}

// Deflate returns a raw deflate stream of prefix followed by n bytes that
// repeat unit, its CRC-32 and its length.
func Deflate(prefix, unit []byte, n int64) (raw []byte, crc uint32, size int64) {
	if len(unit) == 0 {
		unit = []byte{0}
	}
	// A chunk holds a whole number of units, so copies line up.
	per := max(1, chunk/len(unit)) * len(unit)
	body := bytes.Repeat(unit, per/len(unit))
	var out bytes.Buffer
	out.Write(block(prefix, false))
	rep := block(body, false)
	crc = crc32.ChecksumIEEE(prefix)
	left := n
	for ; left >= int64(per); left -= int64(per) {
		out.Write(rep)
		crc = crc32.Update(crc, crc32.IEEETable, body)
	}
	out.Write(block(body[:left], true))
	crc = crc32.Update(crc, crc32.IEEETable, body[:left])
	return out.Bytes(), crc, int64(len(prefix)) + n
}

// Gzip returns a gzip file of prefix followed by n bytes that repeat
// unit.
func Gzip(prefix, unit []byte, n int64) []byte {
	raw, crc, size := Deflate(prefix, unit, n)
	var out bytes.Buffer
	out.Write([]byte{0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff})
	out.Write(raw)
	binary.Write(&out, binary.LittleEndian, crc)
	binary.Write(&out, binary.LittleEndian, uint32(size))
	return out.Bytes()
}
