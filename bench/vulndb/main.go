// Command vulndb-bench makes a synthetic OSV export the size of PyPI's and
// times matching against it.
//
//	vulndb-bench gen OUT.zip            write the export (-advisories, -packages)
//	vulndb-bench match HOME             time osv.Audit of a 300-package environment
//
// The export is synthetic because the real one cannot be downloaded here;
// its shape follows PyPI's: about 40% MAL- reports (one package, a few
// versions), GHSA entries with CVSS v3 vectors and 2-4 range events,
// PYSEC entries listing tens to hundreds of affected versions, summaries
// and details of a few hundred bytes.
package main

import (
	"archive/zip"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"syscall"
	"time"

	"lockstep.dev/lockstep/internal/capture"
	"lockstep.dev/lockstep/internal/home"
	"lockstep.dev/lockstep/internal/sbom/osv"
)

func main() {
	advisories := flag.Int("advisories", 18000, "advisories in the export (gen)")
	packages := flag.Int("packages", 9000, "distinct package names they are about (gen)")
	installed := flag.Int("installed", 300, "packages of the audited environment (match)")
	rounds := flag.Int("rounds", 30, "audits to time (match)")
	flag.Parse()
	if flag.NArg() != 2 {
		fmt.Fprintln(os.Stderr, "usage: vulndb-bench [flags] gen OUT.zip | match HOME")
		os.Exit(2)
	}
	var err error
	switch flag.Arg(0) {
	case "gen":
		err = gen(flag.Arg(1), *advisories, *packages)
	case "match":
		err = match(flag.Arg(1), *packages, *installed, *rounds)
	default:
		err = fmt.Errorf("unknown mode %q", flag.Arg(0))
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "vulndb-bench:", err)
		os.Exit(1)
	}
}

// name is the i-th synthetic package name.
func name(i int) string { return fmt.Sprintf("pkg-%05d", i) }

func version(r *rand.Rand) string {
	return fmt.Sprintf("%d.%d.%d", r.IntN(5), r.IntN(20), r.IntN(10))
}

var vectors = []string{
	"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H",
	"CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N", "CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H",
	"CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:N/A:N",
}

// entry is one synthetic OSV advisory.
func entry(r *rand.Rand, i, packages int) map[string]any {
	pkg := name(r.IntN(packages))
	text := strings.Repeat("A description of the weakness and how it is reached. ", 3+r.IntN(10))
	affected := map[string]any{"package": map[string]string{"ecosystem": "PyPI", "name": pkg, "purl": "pkg:pypi/" + pkg}}
	e := map[string]any{"schema_version": "1.6.0", "modified": "2025-06-01T00:00:00Z", "published": "2024-01-01T00:00:00Z",
		"summary": "Synthetic advisory " + fmt.Sprint(i), "details": text, "affected": []any{affected}}
	switch k := i % 10; {
	case k < 4: // malicious-packages report
		e["id"] = fmt.Sprintf("MAL-2025-%d", i)
		affected["ranges"] = []any{map[string]any{"type": "ECOSYSTEM", "events": []any{map[string]string{"introduced": "0"}}}}
		affected["versions"] = []string{version(r), version(r)}
	case k < 8: // GitHub advisory
		e["id"] = fmt.Sprintf("GHSA-%04x-%04x-%04x", i, r.IntN(65536), r.IntN(65536))
		e["aliases"] = []string{fmt.Sprintf("CVE-2024-%d", 10000+i)}
		e["severity"] = []any{map[string]string{"type": "CVSS_V3", "score": vectors[r.IntN(len(vectors))]}}
		events := []any{map[string]string{"introduced": "0"}, map[string]string{"fixed": fmt.Sprintf("%d.%d.0", 1+r.IntN(4), r.IntN(20))}}
		if r.IntN(3) == 0 {
			events = append(events, map[string]string{"introduced": "5.0.0"}, map[string]string{"fixed": "5.2.1"})
		}
		affected["ranges"] = []any{map[string]any{"type": "ECOSYSTEM", "events": events}}
		e["database_specific"] = map[string]any{"severity": "HIGH", "cwe_ids": []string{"CWE-79"}}
	default: // PyPA advisory with its versions listed
		e["id"] = fmt.Sprintf("PYSEC-2024-%d", i)
		e["aliases"] = []string{fmt.Sprintf("CVE-2023-%d", 10000+i), fmt.Sprintf("GHSA-%04x-aaaa-bbbb", i)}
		var vs []string
		for n := 20 + r.IntN(150); n > 0; n-- {
			vs = append(vs, version(r))
		}
		affected["versions"] = vs
		affected["ranges"] = []any{map[string]any{"type": "ECOSYSTEM", "events": []any{map[string]string{"introduced": "0"}, map[string]string{"fixed": "4.0.0"}}}}
	}
	return e
}

// gen writes the synthetic export.
func gen(out string, n, packages int) error {
	f, err := os.Create(out)
	if err != nil {
		return err
	}
	zw := zip.NewWriter(f)
	r := rand.New(rand.NewPCG(1, 2))
	for i := range n {
		e := entry(r, i, packages)
		w, err := zw.Create(e["id"].(string) + ".json")
		if err != nil {
			return err
		}
		if err := json.NewEncoder(w).Encode(e); err != nil {
			return err
		}
	}
	if err := zw.Close(); err != nil {
		return err
	}
	return f.Close()
}

// match times the audit of an environment of `installed` packages, most
// of them names the export has advisories about, against HOME's catalog.
func match(root string, packages, installed, rounds int) error {
	ctx := context.Background()
	h, err := home.Open(ctx, root, home.Options{Getenv: os.Getenv})
	if err != nil {
		return err
	}
	defer h.Close()
	r := rand.New(rand.NewPCG(3, 4))
	env := &capture.Environment{Interpreter: &capture.Interpreter{Kind: "python"}}
	for i := range installed {
		n := name(r.IntN(packages))
		if i%6 == 0 {
			n = fmt.Sprintf("not-advised-%d", i)
		}
		env.Interpreter.Packages = append(env.Interpreter.Packages, capture.Package{Name: n, Version: version(r)})
	}
	steps := []osv.StepEnvironment{{Step: "train", Env: env}}
	var times []time.Duration
	var rep *osv.Report
	cpu0 := cpuTime()
	for range rounds {
		start := time.Now()
		if rep, err = osv.Audit(ctx, h.Catalog, "bench", steps, time.Now()); err != nil {
			return err
		}
		times = append(times, time.Since(start))
	}
	cpu := (cpuTime() - cpu0) / time.Duration(rounds)
	slices.Sort(times)
	malicious := 0
	for _, f := range rep.Findings() {
		if f.Malicious {
			malicious++
		}
	}
	fmt.Printf("match: %d packages against %d advisories: median %s, best %s wall, %s CPU per audit over %d audits; %d findings (%d malicious)\n",
		installed, rep.Databases[0].Advisories, times[len(times)/2].Round(time.Microsecond), times[0].Round(time.Microsecond),
		cpu.Round(time.Microsecond), rounds, len(rep.Findings()), malicious)
	return nil
}

// cpuTime is the CPU time (user and system) the process has used: the
// cost of an audit on a machine other work shares.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
