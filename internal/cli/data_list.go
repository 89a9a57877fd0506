package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"lockstep.dev/lockstep/internal/core"
	"lockstep.dev/lockstep/internal/dataset"
)

func newDataListCommand(g *globalOptions) *cobra.Command {
	return &cobra.Command{
		Use:   "list",
		Short: "List registered datasets",
		Long: `List every registered NAME@VERSION with its classification, size, producer and
whether its BOM is signed.

Exit codes: 0 success, 1 a dataset's BOM cannot be read, 2 no lockstep home.`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(c *cobra.Command, args []string) error { return runDataList(c.Context(), g) },
	}
}

// dataSummary is one dataset in `data list --json` and `data show --json`.
type dataSummary struct {
	Name           string      `json:"name"`
	Tree           core.Digest `json:"tree"`
	BOM            core.Digest `json:"bom"`
	Classification string      `json:"classification,omitempty"`
	Producer       string      `json:"producer,omitempty"`
	License        string      `json:"license,omitempty"`
	Description    string      `json:"description,omitempty"`
	Files          int         `json:"files"`
	Size           int64       `json:"size"`
	Sources        []string    `json:"sources,omitempty"`
	Signers        []string    `json:"signers,omitempty"`
}

func summarize(d *dataset.Dataset) dataSummary {
	s := dataSummary{Name: d.Ref.String(), Tree: d.Tree, BOM: d.BOMDigest}
	if b := d.BOM; b != nil {
		s.Classification, s.Producer, s.License, s.Description, s.Sources = b.Classification, b.Producer, b.License, b.Description, b.Sources
		s.Files = len(b.Entries)
		for _, e := range b.Entries {
			s.Size += e.Size
		}
	}
	for _, r := range d.Bundles {
		s.Signers = append(s.Signers, r.Signer)
	}
	return s
}

func runDataList(ctx context.Context, g *globalOptions) error {
	h, err := g.openHome(ctx)
	if err != nil {
		return err
	}
	defer h.Close()
	sets, problems, err := dataset.List(ctx, h.Store, h.Catalog)
	if err != nil {
		return err
	}
	p := newPrinter(g)
	out := make([]dataSummary, 0, len(sets))
	for _, d := range sets {
		out = append(out, summarize(d))
	}
	if g.json {
		if err := p.json(out); err != nil {
			return err
		}
	} else {
		if len(out) == 0 {
			p.info("No datasets yet. Register one with `lockstep data add NAME@VERSION PATH|URL`.")
		}
		for _, s := range out {
			signed := "unsigned"
			if len(s.Signers) > 0 {
				signed = "signed"
			}
			p.result("%-32s %-10s %5d files %10s  %s  %s  %s", s.Name, s.Classification, s.Files, humanBytes(s.Size), s.Tree.Short(), signed, s.Producer)
		}
	}
	if len(problems) > 0 {
		return &failedError{fmt.Sprintf("%d datasets have unreadable bills of materials: %v", len(problems), errors.Join(problems...))}
	}
	return nil
}

type dataShowOptions struct{ bom bool }

func newDataShowCommand(g *globalOptions) *cobra.Command {
	var o dataShowOptions
	c := &cobra.Command{
		Use:   "show NAME@VERSION",
		Short: "Show a dataset's bill of materials: sources, files, datasheet, signatures",
		Long: `Show what a dataset is: its digest, classification, producer, license, sources,
datasheet answers, files with their digests, and who signed its bill of
materials. Metadata is visible to everyone, restricted datasets included.
--bom prints the CycloneDX 1.6 document itself.

Exit codes: 0 success, 2 unknown dataset or bad usage.`,
		Example: `  lockstep data show iris@1
  lockstep data show iris@1 --bom > iris.cdx.json`,
		Args: exactArgs(1, "one NAME@VERSION"),
		RunE: func(c *cobra.Command, args []string) error { return runDataShow(c.Context(), o, g, args[0]) },
	}
	c.Flags().BoolVar(&o.bom, "bom", false, "print the CycloneDX bill of materials (JSON)")
	return c
}

// dataShowing is `lockstep data show --json`.
type dataShowing struct {
	dataSummary
	Entries []core.TreeEntry            `json:"entries"`
	Scans   map[string]dataset.FileScan `json:"scans,omitempty"`
	Answers map[string]string           `json:"datasheet,omitempty"`
}

func runDataShow(ctx context.Context, o dataShowOptions, g *globalOptions, refArg string) error {
	ref, err := dataset.ParseRef(refArg)
	if err != nil {
		return &usageError{err}
	}
	h, err := g.openHome(ctx)
	if err != nil {
		return err
	}
	defer h.Close()
	d, err := dataset.Lookup(ctx, h.Store, h.Catalog, ref)
	if err != nil {
		return dataError(err)
	}
	p := newPrinter(g)
	if o.bom {
		raw, err := h.Store.ReadBytes(d.BOMDigest)
		if err != nil {
			return err
		}
		return p.json(json.RawMessage(raw))
	}
	s := dataShowing{dataSummary: summarize(d), Entries: d.BOM.Entries, Scans: d.BOM.Scans, Answers: d.BOM.Datasheet()}
	if g.json {
		return p.json(s)
	}
	p.result("%s  %s  %d files, %s", p.paint(bold, s.Name), s.Classification, s.Files, humanBytes(s.Size))
	p.result("  tree       %s", s.Tree)
	p.result("  bom        %s", s.BOM)
	for _, line := range [][2]string{{"producer", s.Producer}, {"license", s.License}, {"about", s.Description}} {
		if line[1] != "" {
			p.result("  %-10s %s", line[0], line[1])
		}
	}
	for _, src := range s.Sources {
		p.result("  source     %s", src)
	}
	if len(d.Bundles) == 0 {
		p.result("  signed     %s", p.paint(yellow, "no"))
	}
	for _, r := range d.Bundles {
		p.result("  signed     by %s (bundle %s, %s; check with `lockstep data verify %s --key KEY.pub`)", r.Signer, r.Bundle.Short(), r.Created.Local().Format("2006-01-02"), s.Name)
	}
	for _, k := range sortedKeys(s.Answers) {
		p.result("  datasheet  %s: %s", k, s.Answers[k])
	}
	for _, e := range s.Entries {
		line := fmt.Sprintf("  file       %s  %9s  %s", e.Digest, humanBytes(e.Size), e.Path)
		if f, ok := s.Scans[e.Path]; ok {
			line += "  " + f.Format
			if f.Rows > 0 {
				line += fmt.Sprintf(" rows=%d columns=%d", f.Rows, f.Columns)
			}
		}
		p.result("%s", line)
	}
	return nil
}
