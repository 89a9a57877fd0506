// Command ingest measures store.PutTree: it ingests a directory into a
// store and prints the time taken and the peak memory, or, with -gen,
// writes a directory of random files to measure with.
//
// Usage:
//
//	ingest -store DIR -src DIR [-mode copy|move|hash] [-cpuprofile FILE]
//	ingest -gen DIR -files N -size BYTES
//
// -mode copy (the default) copies the files into the store, as `lockstep
// data add` and a run's project inputs do; move renames them into the
// store, as a task's outputs are stored (the source directory is left
// empty); hash only computes the tree's digest (store.HashTree), as
// `lockstep verify DIR` does.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime/pprof"
	"sync/atomic"
	"syscall"
	"time"

	"lockstep.dev/lockstep/internal/store"
)

func main() {
	storeDir := flag.String("store", "", "store folder to ingest into")
	src := flag.String("src", "", "directory to ingest")
	gen := flag.String("gen", "", "write random files into this directory instead")
	files := flag.Int("files", 0, "with -gen: how many files")
	size := flag.Int64("size", 0, "with -gen: bytes per file")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile of the ingest to this file")
	mode := flag.String("mode", "copy", "copy, move or hash")
	flag.Parse()
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err == nil {
			err = pprof.StartCPUProfile(f)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "ingest:", err)
			os.Exit(1)
		}
		defer pprof.StopCPUProfile()
	}
	var err error
	switch {
	case *gen != "" && *files > 0:
		err = generate(*gen, *files, *size)
	case *storeDir != "" && *src != "" && (*mode == "copy" || *mode == "move" || *mode == "hash"):
		err = ingest(*storeDir, *src, *mode)
	default:
		flag.Usage()
		os.Exit(2)
	}
	if err != nil {
		pprof.StopCPUProfile()
		fmt.Fprintln(os.Stderr, "ingest:", err)
		os.Exit(1)
	}
}

// ingest runs one PutTree (or HashTree, for mode hash) and prints what it
// measured as name=value pairs: files, bytes, hashed_bytes, seconds
// (wall), cpu_seconds (user + system), peak_rss_mib and the tree's digest.
func ingest(storeDir, src, mode string) error {
	start := time.Now()
	s, err := store.Open(storeDir)
	if err != nil {
		return err
	}
	put := s.PutTree
	if mode == "hash" {
		put = s.HashTree
	}
	var hashed atomic.Int64
	d, tree, err := put(context.Background(), src, store.TreeOptions{
		Move:     mode == "move",
		Progress: func(n int64) { hashed.Add(n) },
	})
	if err != nil {
		return err
	}
	if err := s.Close(); err != nil {
		return err
	}
	elapsed := time.Since(start)
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return err
	}
	cpu := time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	fmt.Printf("files=%d bytes=%d hashed_bytes=%d seconds=%.3f cpu_seconds=%.3f peak_rss_mib=%.1f digest=%s\n",
		len(tree.Entries), tree.Size(), hashed.Load(), elapsed.Seconds(), cpu.Seconds(), float64(ru.Maxrss)/1024, d)
	return nil
}

// generate writes n files of size random bytes under dir, 100 to a folder.
func generate(dir string, n int, size int64) error {
	rng := rand.NewChaCha8([32]byte{byte(n), byte(size), byte(size >> 8), byte(size >> 16)})
	for i := range n {
		sub := filepath.Join(dir, fmt.Sprintf("d%03d", i/100))
		if err := os.MkdirAll(sub, 0o755); err != nil {
			return err
		}
		f, err := os.Create(filepath.Join(sub, fmt.Sprintf("f%05d.bin", i)))
		if err != nil {
			return err
		}
		_, err = io.CopyN(f, rng, size)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return err
		}
	}
	return nil
}
