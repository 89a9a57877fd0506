package scan

import (
	"bufio"
	"fmt"
	"io"
)

// npy validates a .npy array; object arrays are pickles and are walked.
func (s *scanner) npy(member string, r *bufio.Reader, size int64) {
	h, err := readNpyHeader(r, s.lim.MaxHeader)
	if err != nil {
		s.fail(member, "npy", err)
		return
	}
	s.rep.addSummary(0, 0, 1)
	if h.object {
		s.add(Finding{Member: member, Format: "npy", Severity: SeverityUnknown,
			Message: "array has an object dtype: its data is a pickle and loading needs allow_pickle=True; store numeric or string dtypes instead"})
		rest := int64(-1)
		if size >= 0 {
			rest = size - h.dataOff
		}
		w := walkPickles(r, rest, s.lim, s.cls)
		for _, f := range w.findings(member) {
			if f.Severity != SeverityInfo || f.Message != "pickle imports nothing" {
				s.add(f)
			}
		}
		return
	}
	want, _ := h.dataSize()
	got := size - h.dataOff
	if size < 0 {
		n, err := io.Copy(io.Discard, r)
		if err != nil {
			s.fail(member, "npy", fmt.Errorf("read npy data: %w", err))
			return
		}
		got = n
	}
	if got != want {
		s.add(Finding{Member: member, Format: "npy", Severity: SeverityInvalid,
			Message: fmt.Sprintf("array data is %d bytes but shape %v of %d-byte items needs %d", got, h.shape, h.itemsize, want)})
	}
}
