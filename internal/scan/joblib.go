package scan

import (
	"fmt"
	"strconv"
)

// joblibWrapper is the class joblib pickles in place of a NumPy array; the
// array's bytes follow the BUILD opcode directly in the stream.
const joblibWrapper = "joblib.numpy_pickle.NumpyArrayWrapper"

// afterBuild skips the raw array data joblib writes after the BUILD of a
// NumpyArrayWrapper, so the rest of the pickle can still be walked.
func (m *machine) afterBuild(obj, state *value) error {
	if obj.kind != kCall || obj.fn.kind != kGlobal || obj.fn.s != joblibWrapper || state.kind != kDict {
		return nil
	}
	fields := map[string]*value{}
	for i := 0; i+1 < len(state.items); i += 2 {
		if k, ok := state.items[i].str(); ok {
			fields[k] = state.items[i+1]
		}
	}
	shape, dtype := fields["shape"], fields["dtype"]
	if shape == nil || shape.kind != kTuple || int64(len(shape.items)) != shape.n || dtype == nil {
		return fmt.Errorf("joblib array without a readable shape and dtype")
	}
	itemsize, object, err := joblibDtype(dtype)
	if err != nil {
		return err
	}
	if object {
		return m.nestedPickle()
	}
	count := int64(1)
	for _, d := range shape.items {
		n, err := strconv.ParseInt(d.s, 10, 64)
		if d.kind != kInt || err != nil || n < 0 || (n > 0 && count > (1<<62)/n) {
			return fmt.Errorf("joblib array shape %s is not valid", render(shape, 80))
		}
		count *= n
	}
	if count > 0 && itemsize > (1<<62)/count {
		return fmt.Errorf("joblib array too large")
	}
	if fields["numpy_array_alignment_bytes"] != nil {
		pad, err := m.in.uint(1)
		if err != nil {
			return err
		}
		if err := m.in.skip(int64(pad)); err != nil {
			return err
		}
	}
	return m.in.skip(count * itemsize)
}

// joblibDtype reads the item size from a pickled numpy.dtype('f8', ...).
func joblibDtype(v *value) (int64, bool, error) {
	if v.kind != kCall || v.fn.kind != kGlobal || len(v.items) == 0 || len(v.items[0].items) == 0 {
		return 0, false, fmt.Errorf("joblib array dtype %s is not numpy.dtype(...)", render(v, 80))
	}
	s, ok := v.items[0].items[0].str()
	if !ok {
		return 0, false, fmt.Errorf("joblib array dtype %s has no type string", render(v, 80))
	}
	if s == "O8" || s == "O" || s == "O4" {
		return 8, true, nil
	}
	size, object, err := typestrSize(s)
	if err != nil {
		return 0, false, fmt.Errorf("joblib array dtype: %w", err)
	}
	if size == 0 && len(s) > 0 {
		return 0, false, fmt.Errorf("joblib array dtype %q has no size", s)
	}
	return size, object, nil
}

// nestedPickle walks the complete pickle joblib writes for an object array,
// keeping the outer pickle's stack and memo.
func (m *machine) nestedPickle() error {
	if m.nested++; m.nested > 64 {
		return fmt.Errorf("joblib object arrays nested too deeply")
	}
	stack, marks, memo := m.stack, m.marks, m.memo
	m.stack, m.marks = nil, nil
	_, err := m.run()
	m.stack, m.marks, m.memo = stack, marks, memo
	m.nested--
	return err
}
