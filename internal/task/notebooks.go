package task

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"lockstep.dev/lockstep/internal/core"
	"lockstep.dev/lockstep/internal/notebook"
)

// checkNotebooks looks at every Jupyter notebook (*.ipynb) among the files
// the scanner reported for the output at path (a file or a folder) and
// returns why the first one whose saved outputs do not come from one
// top-to-bottom run in a fresh kernel cannot be recorded as a result (""
// when every one can, or there is none).
func checkNotebooks(path string, isDir bool, files []core.FileReport) (string, error) {
	for _, fr := range files {
		name, p := filepath.Base(path), path
		if isDir {
			name, p = fr.Path, filepath.Join(path, filepath.FromSlash(fr.Path))
		}
		if !strings.EqualFold(filepath.Ext(name), ".ipynb") {
			continue
		}
		f, err := os.Open(p)
		if err != nil {
			return "", err
		}
		rep, err := notebook.Check(f)
		f.Close()
		switch {
		case err != nil:
			return fmt.Sprintf("%s is named like a notebook but is not one (%v): rename it or write a notebook", name, err), nil
		case !rep.InOrder:
			pr := rep.Problems[0]
			return fmt.Sprintf("notebook %s: cell %d %s; its saved outputs do not come from one run from top to bottom, so they cannot be recorded as a result: restart the kernel, run all cells and save it (lockstep nb check %s lists every cell)", name, pr.Cell, pr.Message, name), nil
		}
	}
	return "", nil
}
