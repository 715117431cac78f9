package collectd

// #include <stdlib.h>
// #include "glue.h"
import "C"

import (
	"unsafe"

	"collectd.org/config"
)

// This file builds collectd's C config tree (oconfig.h) from a Block the
// way collectd's parser lays it out, so config_test.go can check the
// conversion without collectd (cgo is not allowed in _test.go files).
// Nothing else calls it, so the linker drops it from the .so; it sets
// oconfig_value_t's union from Go, not through C helpers, because C
// functions in the package would stay in the .so, exported, unused.

// cItems is a C array of n items built from blocks; free with freeItems.
func cItems(blocks []config.Block) *C.oconfig_item_t {
	if len(blocks) == 0 {
		return nil
	}
	items := (*C.oconfig_item_t)(C.calloc(C.size_t(len(blocks)), C.sizeof_oconfig_item_t))
	for i, b := range blocks {
		fillItem(&unsafe.Slice(items, len(blocks))[i], b)
	}
	return items
}

func fillItem(ci *C.oconfig_item_t, b config.Block) {
	ci.key = C.CString(b.Key)
	if len(b.Values) > 0 {
		ci.values = (*C.oconfig_value_t)(C.calloc(C.size_t(len(b.Values)), C.sizeof_oconfig_value_t))
		ci.values_num = C.int(len(b.Values))
		vs := unsafe.Slice(ci.values, len(b.Values))
		for i, v := range b.Values {
			switch x := v.Interface().(type) {
			case string:
				setValue(&vs[i], C.OCONFIG_TYPE_STRING, C.CString(x))
			case float64:
				setValue(&vs[i], C.OCONFIG_TYPE_NUMBER, C.double(x))
			case bool:
				bv := C.int(0)
				if x {
					bv = 1
				}
				setValue(&vs[i], C.OCONFIG_TYPE_BOOLEAN, bv)
			}
		}
	}
	ci.children = cItems(b.Children)
	ci.children_num = C.int(len(b.Children))
	children := unsafe.Slice(ci.children, len(b.Children))
	for i := range children {
		children[i].parent = ci
	}
}

// setValue stores x in v's union (cgo shows it as bytes) and tags it.
func setValue[T any](v *C.oconfig_value_t, typ C.int, x T) {
	*(*T)(unsafe.Pointer(&v.value)) = x
	v._type = typ
}

func freeItems(items *C.oconfig_item_t, n int) {
	if items == nil {
		return
	}
	for i := range unsafe.Slice(items, n) {
		ci := &unsafe.Slice(items, n)[i]
		C.free(unsafe.Pointer(ci.key))
		vs := unsafe.Slice(ci.values, int(ci.values_num))
		for j := range vs {
			if C.rtmon_value_type(&vs[j]) == C.OCONFIG_TYPE_STRING {
				C.free(unsafe.Pointer(C.rtmon_value_string(&vs[j])))
			}
		}
		C.free(unsafe.Pointer(ci.values))
		freeItems(ci.children, int(ci.children_num))
	}
	C.free(unsafe.Pointer(items))
}

// convertBlockForTest runs convertItem on the C form of b; setType, when
// not negative, overrides the first value's type tag.
func convertBlockForTest(b config.Block, setType int) (config.Block, error) {
	ci := cItems([]config.Block{b})
	defer freeItems(ci, 1)
	if setType >= 0 && ci.values_num > 0 {
		ci.values._type = C.int(setType)
		defer func() { ci.values._type = C.OCONFIG_TYPE_NUMBER }() // nothing to free
	}
	return convertItem(ci, 0)
}

// convertNestedForTest converts a chain of depth nested blocks.
func convertNestedForTest(depth int) error {
	b := config.Block{Key: "Leaf"}
	for i := 0; i < depth; i++ {
		b = config.Block{Key: "Level", Children: []config.Block{b}}
	}
	_, err := convertBlockForTest(b, -1)
	return err
}
