// Command scan-bench scans files with internal/scan and prints the bytes
// scanned per second, or the reports as JSON with -json.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"runtime/pprof"
	"time"

	"lockstep.dev/lockstep/internal/scan"
)

func main() {
	asJSON := flag.Bool("json", false, "print the reports as JSON instead of the throughput")
	rounds := flag.Int("rounds", 1, "scan the files this many times and report the best round")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile of the rounds to this file")
	memprofile := flag.String("memprofile", "", "write an allocation profile of the rounds to this file")
	flag.Parse()
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		defer pprof.StopCPUProfile()
	}
	var total int64
	for _, p := range flag.Args() {
		fi, err := os.Stat(p)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		total += fi.Size()
	}
	best, first := time.Duration(1<<63-1), time.Duration(0)
	for i := 0; i < *rounds; i++ {
		start := time.Now()
		for _, p := range flag.Args() {
			r, err := scan.File(context.Background(), p, scan.Options{})
			if err != nil {
				fmt.Fprintln(os.Stderr, err)
				os.Exit(2)
			}
			if *asJSON && i == 0 {
				b, _ := json.MarshalIndent(r, "", "  ")
				fmt.Println(string(b))
			}
		}
		best = min(best, time.Since(start))
		if i == 0 {
			first = best
		}
	}
	if *memprofile != "" {
		f, err := os.Create(*memprofile)
		if err == nil {
			err = pprof.Lookup("allocs").WriteTo(f, 0)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
	}
	if !*asJSON {
		fmt.Printf("lockstep-scan %d bytes in %.4fs: %.1f MB/s (first round %.4fs)\n", total, best.Seconds(), float64(total)/best.Seconds()/1e6, first.Seconds())
	}
}
