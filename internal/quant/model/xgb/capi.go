package xgb

/*
#cgo LDFLAGS: -lxgboost
#include <stdlib.h>
#include <xgboost/c_api.h>
*/
import "C"

import (
	"errors"
	"math"
	"runtime"
	"unsafe"
)

// This file is the only one that talks to libxgboost. XGBoost keeps its last
// error, prediction output and save buffer in thread-local storage, so every
// function here locks the goroutine to its OS thread for the call and copies
// results into Go memory before unlocking.

type (
	boosterHandle = C.BoosterHandle
	dmatrixHandle = C.DMatrixHandle
)

// lastError returns XGBoost's error for the current thread, cut to its first
// line (the rest is a stack trace).
func lastError() error {
	return errors.New(cleanError(C.GoString(C.XGBGetLastError())))
}

// cstrings copies ss into C memory; free releases it.
func cstrings(ss []string) (arr **C.char, free func()) {
	n := max(len(ss), 1)
	mem := C.malloc(C.size_t(n) * C.size_t(unsafe.Sizeof(uintptr(0))))
	ptrs := unsafe.Slice((**C.char)(mem), n)
	for i, s := range ss {
		ptrs[i] = C.CString(s)
	}
	return (**C.char)(mem), func() {
		for i := range ss {
			C.free(unsafe.Pointer(ptrs[i]))
		}
		C.free(mem)
	}
}

// newDMatrix builds a DMatrix from row-major float32 values, NaN missing.
// XGBoost copies the values, so data may be reused once this returns.
func newDMatrix(data []float32, rows, cols, nthread int) (dmatrixHandle, error) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	var h C.DMatrixHandle
	var ptr *C.float
	if len(data) > 0 {
		ptr = (*C.float)(unsafe.Pointer(&data[0]))
	}
	if C.XGDMatrixCreateFromMat_omp(ptr, C.bst_ulong(rows), C.bst_ulong(cols), C.float(math.NaN()), &h, C.int(nthread)) != 0 {
		return nil, lastError()
	}
	return h, nil
}

func setLabel(h dmatrixHandle, label []float32) error {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	field := C.CString("label")
	defer C.free(unsafe.Pointer(field))
	if C.XGDMatrixSetFloatInfo(h, field, (*C.float)(unsafe.Pointer(&label[0])), C.bst_ulong(len(label))) != 0 {
		return lastError()
	}
	return nil
}

func freeDMatrix(h dmatrixHandle) {
	if h != nil {
		C.XGDMatrixFree(h)
	}
}

// newBooster creates a booster that caches predictions for dmats.
func newBooster(dmats ...dmatrixHandle) (boosterHandle, error) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	var h C.BoosterHandle
	var ptr *C.DMatrixHandle
	if len(dmats) > 0 {
		mem := C.malloc(C.size_t(len(dmats)) * C.size_t(unsafe.Sizeof(uintptr(0))))
		defer C.free(mem)
		copy(unsafe.Slice((*C.DMatrixHandle)(mem), len(dmats)), dmats)
		ptr = (*C.DMatrixHandle)(mem)
	}
	if C.XGBoosterCreate(ptr, C.bst_ulong(len(dmats)), &h) != 0 {
		return nil, lastError()
	}
	return h, nil
}

func freeBooster(h boosterHandle) {
	if h != nil {
		C.XGBoosterFree(h)
	}
}

func setParam(h boosterHandle, name, value string) error {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	cn, cv := C.CString(name), C.CString(value)
	defer C.free(unsafe.Pointer(cn))
	defer C.free(unsafe.Pointer(cv))
	if C.XGBoosterSetParam(h, cn, cv) != 0 {
		return lastError()
	}
	return nil
}

func updateOneIter(h boosterHandle, iter int, train dmatrixHandle) error {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	if C.XGBoosterUpdateOneIter(h, C.int(iter), train) != 0 {
		return lastError()
	}
	return nil
}

// evalOneIter returns XGBoost's evaluation line, e.g.
// "[3]\ttrain-rmse:0.51\tvalid-rmse:0.55".
func evalOneIter(h boosterHandle, iter int, dmats []dmatrixHandle, names []string) (string, error) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	mem := C.malloc(C.size_t(len(dmats)) * C.size_t(unsafe.Sizeof(uintptr(0))))
	defer C.free(mem)
	copy(unsafe.Slice((*C.DMatrixHandle)(mem), len(dmats)), dmats)
	cnames, free := cstrings(names)
	defer free()
	var out *C.char
	if C.XGBoosterEvalOneIter(h, C.int(iter), (*C.DMatrixHandle)(mem), cnames, C.bst_ulong(len(dmats)), &out) != 0 {
		return "", lastError()
	}
	return C.GoString(out), nil
}

// predict scores a DMatrix with all trees of the booster, returning the
// untransformed values (identity for regression objectives).
func predict(h boosterHandle, d dmatrixHandle) ([]float32, error) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	cfg := C.CString(`{"type":0,"training":false,"iteration_begin":0,"iteration_end":0,"strict_shape":false}`)
	defer C.free(unsafe.Pointer(cfg))
	var shape *C.bst_ulong
	var dim C.bst_ulong
	var res *C.float
	if C.XGBoosterPredictFromDMatrix(h, d, cfg, &shape, &dim, &res) != 0 {
		return nil, lastError()
	}
	n := 1
	for _, s := range unsafe.Slice(shape, int(dim)) {
		n *= int(s)
	}
	out := make([]float32, n)
	if n > 0 {
		copy(out, unsafe.Slice((*float32)(unsafe.Pointer(res)), n))
	}
	return out, nil
}

// predictDense builds a DMatrix from data, scores it and frees it, all on one
// thread.
func predictDense(h boosterHandle, data []float32, rows, cols int) ([]float32, error) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	d, err := newDMatrix(data, rows, cols, 0)
	if err != nil {
		return nil, err
	}
	defer freeDMatrix(d)
	return predict(h, d)
}

// saveModel returns the booster in the given format ("ubj" or "json").
func saveModel(h boosterHandle, format string) ([]byte, error) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	cfg := C.CString(`{"format":"` + format + `"}`)
	defer C.free(unsafe.Pointer(cfg))
	var n C.bst_ulong
	var buf *C.char
	if C.XGBoosterSaveModelToBuffer(h, cfg, &n, &buf) != 0 {
		return nil, lastError()
	}
	return C.GoBytes(unsafe.Pointer(buf), C.int(n)), nil
}

func loadModel(h boosterHandle, blob []byte) error {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	if len(blob) == 0 {
		return errors.New("empty model")
	}
	// C memory, so that XGBoost never sees a Go pointer it might keep.
	buf := C.CBytes(blob)
	defer C.free(buf)
	if C.XGBoosterLoadModelFromBuffer(h, buf, C.bst_ulong(len(blob))) != 0 {
		return lastError()
	}
	return nil
}

func numFeatures(h boosterHandle) (int, error) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	var n C.bst_ulong
	if C.XGBoosterGetNumFeature(h, &n) != 0 {
		return 0, lastError()
	}
	return int(n), nil
}

func boostedRounds(h boosterHandle) (int, error) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	var n C.int
	if C.XGBoosterBoostedRounds(h, &n) != 0 {
		return 0, lastError()
	}
	return int(n), nil
}

// slice returns a new booster with the trees of rounds [begin, end).
func slice(h boosterHandle, begin, end int) (boosterHandle, error) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	var out C.BoosterHandle
	if C.XGBoosterSlice(h, C.int(begin), C.int(end), 1, &out) != 0 {
		return nil, lastError()
	}
	return out, nil
}

func setAttr(h boosterHandle, key, value string) error {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	ck, cv := C.CString(key), C.CString(value)
	defer C.free(unsafe.Pointer(ck))
	defer C.free(unsafe.Pointer(cv))
	if C.XGBoosterSetAttr(h, ck, cv) != 0 {
		return lastError()
	}
	return nil
}

// getAttr returns the attribute and whether the booster has it.
func getAttr(h boosterHandle, key string) (string, bool, error) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	ck := C.CString(key)
	defer C.free(unsafe.Pointer(ck))
	var out *C.char
	var ok C.int
	if C.XGBoosterGetAttr(h, ck, &out, &ok) != 0 {
		return "", false, lastError()
	}
	if ok == 0 {
		return "", false, nil
	}
	return C.GoString(out), true, nil
}

func setFeatureNames(h boosterHandle, names []string) error {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	field := C.CString("feature_name")
	defer C.free(unsafe.Pointer(field))
	cnames, free := cstrings(names)
	defer free()
	if C.XGBoosterSetStrFeatureInfo(h, field, cnames, C.bst_ulong(len(names))) != 0 {
		return lastError()
	}
	return nil
}

func featureNames(h boosterHandle) ([]string, error) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	field := C.CString("feature_name")
	defer C.free(unsafe.Pointer(field))
	var n C.bst_ulong
	var out **C.char
	if C.XGBoosterGetStrFeatureInfo(h, field, &n, &out) != 0 {
		return nil, lastError()
	}
	return goStrings(out, int(n)), nil
}

// featureScore returns XGBoost's importance of the given type per feature
// name; features never split on are absent.
func featureScore(h boosterHandle, importanceType string) (map[string]float64, error) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	cfg := C.CString(`{"importance_type":"` + importanceType + `"}`)
	defer C.free(unsafe.Pointer(cfg))
	var nFeat, dim C.bst_ulong
	var names **C.char
	var shape *C.bst_ulong
	var scores *C.float
	if C.XGBoosterFeatureScore(h, cfg, &nFeat, &names, &dim, &shape, &scores) != 0 {
		return nil, lastError()
	}
	n := int(nFeat)
	out := make(map[string]float64, n)
	if n == 0 {
		return out, nil
	}
	vals := unsafe.Slice((*float32)(unsafe.Pointer(scores)), n)
	for i, name := range goStrings(names, n) {
		out[name] = float64(vals[i])
	}
	return out, nil
}

func goStrings(arr **C.char, n int) []string {
	if n == 0 || arr == nil {
		return nil
	}
	out := make([]string, n)
	for i, p := range unsafe.Slice(arr, n) {
		out[i] = C.GoString(p)
	}
	return out
}
