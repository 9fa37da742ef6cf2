package tensor

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
	"math/big"

	"github.com/nlpodyssey/gopickle/types"
)

// The legacy PyTorch format (torch.save(..., _use_new_zipfile_serialization=
// False), and every file before torch 1.6): five pickles in a row (magic
// number, protocol version, system info, the object, the list of storage
// keys), then each storage in that list as an int64 element count followed
// by its bytes. The object pickle refers to storages by persistent ids
// ("storage", class, key, location, numel, view), view being None since
// torch 1.0.

// legacyMagic is the number that opens a legacy checkpoint, in hex.
const legacyMagic = "1950a86a20f9469cfc6c"

func readTorchLegacy(r io.ReaderAt, size int64, name string) (*StateDict, error) {
	br := bufio.NewReader(io.NewSectionReader(r, 0, size))
	pos := int64(0)
	noGlobals := func(string, string) bool { return false }
	next := func(what string, allow func(string, string) bool, persistent func(any) (any, error)) (any, error) {
		data, err := scanPickle(br, size-pos, allow)
		if err != nil {
			return nil, errorf(name, "%s: %w", what, err)
		}
		pos += int64(len(data))
		return unpickle(data, name+": "+what, persistent)
	}
	magic, err := next("magic number", noGlobals, nil)
	if err != nil {
		return nil, err
	}
	if m, ok := magic.(*big.Int); !ok || m.Text(16) != legacyMagic {
		return nil, errorf(name, "not a PyTorch checkpoint (bad magic number)")
	}
	if v, err := next("protocol version", noGlobals, nil); err != nil {
		return nil, err
	} else if v != 1001 {
		return nil, errorf(name, "unsupported legacy protocol version %s", pyShort(v))
	}
	info, err := next("system info", noGlobals, nil)
	if err != nil {
		return nil, err
	}
	if keys, vals, ok := dictItems(info); ok {
		for i, k := range keys {
			if k == "little_endian" && vals[i] == false {
				return nil, errorf(name, "big-endian legacy checkpoints are not supported")
			}
		}
	}
	storages := map[string]*ptStorage{}
	obj, err := next("state dict", allowedGlobal, func(pid any) (any, error) {
		tup, ok := pid.(*types.Tuple)
		if !ok || tup.Len() != 6 || tup.Get(0) != "storage" {
			return nil, fmt.Errorf("unexpected persistent id %s", pyShort(pid))
		}
		if tup.Get(5) != nil {
			return nil, fmt.Errorf("storage views (PyTorch < 1.0 checkpoints) are not supported")
		}
		return storageRef(storages, tup)
	})
	if err != nil {
		return nil, err
	}
	entries, err := stateDictEntries(obj, name)
	if err != nil {
		return nil, err
	}
	keyList, err := next("storage keys", noGlobals, nil)
	if err != nil {
		return nil, err
	}
	list, ok := keyList.(*types.List)
	if !ok {
		return nil, errorf(name, "storage key list is a %s", pyTypeName(keyList))
	}
	// Each storage: int64 little-endian element count, then its bytes.
	for _, k := range *list {
		key, _ := k.(string)
		st := storages[key]
		if st == nil || st.offset != 0 {
			return nil, errorf(name, "storage key %s is unknown or repeated", pyShort(k))
		}
		var cnt [8]byte
		if pos+8 > size {
			return nil, errorf(name, "storage %q: %v", key, truncErr(io.EOF))
		}
		if _, err := r.ReadAt(cnt[:], pos); err != nil {
			return nil, errorf(name, "storage %q: %w", key, truncErr(err))
		}
		if c := int64(binary.LittleEndian.Uint64(cnt[:])); c != int64(st.numel) {
			return nil, errorf(name, "storage %q: %d elements recorded, %d referenced", key, c, st.numel)
		}
		nb := int64(st.numel) * int64(st.class.size)
		if nb > size-pos-8 {
			return nil, errorf(name, "storage %q: %v", key, truncErr(io.EOF))
		}
		st.offset = pos + 8
		pos += 8 + nb
	}
	if pos != size {
		return nil, errorf(name, "%d unexpected bytes after the last storage", size-pos)
	}
	src := func(st *ptStorage) (io.Reader, bool, func() error, error) {
		if st.offset == 0 {
			return nil, false, nil, fmt.Errorf("storage %q has no data in the file", st.key)
		}
		sec := io.NewSectionReader(r, st.offset, int64(st.numel)*int64(st.class.size))
		return sec, true, func() error { return nil }, nil
	}
	return buildTensors(entries, src, false, name)
}
