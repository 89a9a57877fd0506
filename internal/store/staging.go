package store

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// staging is a set of temp folders, one per ingest worker, inside the
// store's temp folder. Creating a file takes its directory's lock in the
// kernel; with every worker creating (and later renaming away) its temp
// copies in one shared folder, small-file ingest spends much of its
// system time waiting on that one lock. A folder per worker leaves each
// lock to one writer. The folders are made lazily and are empty once their
// files are installed; CleanTemp removes any a killed writer left.
type staging struct {
	root string   // ROOT/tmp/put-*: holds the workers' folders
	dirs []string // dirs[w] is worker w's folder, "" until first used
}

// newStaging creates the folder that holds the staging folders of up to
// workers workers, inside tmp.
func newStaging(tmp string, workers int) (*staging, error) {
	root, err := os.MkdirTemp(tmp, "put-*")
	if err != nil {
		return nil, fmt.Errorf("staging folder: %w", err)
	}
	return &staging{root: root, dirs: make([]string, max(workers, 1))}, nil
}

// dir returns worker w's folder, creating it on first use; w < the number
// of workers given to newStaging. Only worker w may call it with w. If the
// folder cannot be made, the shared root is returned (the create that
// follows reports any real problem).
func (st *staging) dir(w int) string {
	if st.dirs[w] != "" {
		return st.dirs[w]
	}
	d := filepath.Join(st.root, fmt.Sprintf("w%d", w))
	if err := os.Mkdir(d, 0o700); err != nil && !errors.Is(err, os.ErrExist) {
		return st.root
	}
	st.dirs[w] = d
	return d
}

// remove deletes the staging folders and whatever is left in them (temp
// copies of a failed ingest). A nil *staging has nothing to remove.
func (st *staging) remove() error {
	if st == nil {
		return nil
	}
	if err := os.RemoveAll(st.root); err != nil {
		return fmt.Errorf("remove staging folder: %w", err)
	}
	return nil
}
