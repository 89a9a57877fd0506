package policy

import (
	"fmt"
	"strings"

	"lockstep.dev/lockstep/internal/attest"
	"lockstep.dev/lockstep/internal/dataset"
)

// datasets records the run's datasets and checks each one: a bill of
// materials describing exactly the data read, signed by the required role,
// an allowed license, and stored files that match the BOM.
func (e *evaluator) datasets() (*Check, error) {
	r := e.pol.Require.Datasets
	if e.ev.Run == nil {
		if r == nil {
			return nil, nil
		}
		return e.noRun("datasets"), nil
	}
	var children []Check
	for _, de := range e.datasetInputs() {
		c, err := e.dataset(&de, r)
		if err != nil {
			return nil, err
		}
		e.ev.Datasets = append(e.ev.Datasets, de)
		children = append(children, c)
	}
	if r == nil {
		return nil, nil
	}
	c := group("datasets", fmt.Sprintf("%d datasets checked", len(children)), "a dataset fails the policy", children)
	if len(children) == 0 {
		c.Reason = "the run read no registered datasets"
	}
	return &c, nil
}

// dataset gathers and judges one dataset input.
func (e *evaluator) dataset(de *DatasetEvidence, r *DatasetRule) (Check, error) {
	name := "dataset " + de.Ref
	if de.BOM == "" {
		return fail(name, de.Tree, "no bill of materials recorded for the data the run read (register it with `lockstep data add`)"), nil
	}
	b, err := e.st.ReadBytes(de.BOM)
	if err != nil {
		return fail(name, de.BOM, fmt.Sprintf("bill of materials %s is missing from the store: %v", de.BOM.Short(), err)), nil
	}
	bom, err := dataset.ParseBOM(b)
	if err != nil {
		return fail(name, de.BOM, "bill of materials unreadable: "+err.Error()), nil
	}
	if bom.Tree != de.Tree {
		return fail(name, de.BOM, fmt.Sprintf("bill of materials describes %s, not the data the run read (%s)", bom.Tree, de.Tree)), nil
	}
	de.License, de.Producer, de.Classification = bom.License, bom.Producer, bom.Classification
	ref, err := dataset.ParseRef(de.Ref)
	if err != nil {
		return fail(name, de.Tree, err.Error()), nil
	}
	rows, err := attest.StoredRows(e.ctx, e.cat, de.Tree, dataset.BOMPredicateType)
	if err != nil {
		return Check{}, err
	}
	ds := &dataset.Dataset{Ref: ref, Tree: de.Tree, BOMDigest: de.BOM, BOM: bom, Bundles: rows}
	if r == nil {
		return Check{}, nil
	}
	children := []Check{pass("bom", de.BOM, fmt.Sprintf("bill of materials %s describes the %d files read", de.BOM.Short(), len(bom.Entries)))}
	if r.SignedBy != "" {
		children = append(children, e.bomSignature(ds, de, r.SignedBy))
	}
	if len(r.Licenses) > 0 {
		switch {
		case bom.License == "":
			children = append(children, fail("license", de.BOM, "the BOM names no license (allowed: "+strings.Join(r.Licenses, ", ")+")"))
		case !contains(r.Licenses, bom.License):
			children = append(children, fail("license", de.BOM, fmt.Sprintf("license %s is not allowed (allowed: %s)", bom.License, strings.Join(r.Licenses, ", "))))
		default:
			children = append(children, pass("license", de.BOM, "license "+bom.License))
		}
	}
	if err := ds.CheckFiles(e.ctx, e.st, false); err != nil {
		children = append(children, fail("files", de.Tree, err.Error()))
	} else {
		children = append(children, pass("files", de.Tree, "stored files match the BOM"))
	}
	return group(name, "bill of materials, signature, license and files hold", "the dataset fails the policy", children), nil
}

// bomSignature checks the BOM is signed by role, naming who signed it if
// someone else did.
func (e *evaluator) bomSignature(ds *dataset.Dataset, de *DatasetEvidence, role string) Check {
	key, bundle, err := ds.Signature(e.st, e.pol.Keys(role))
	if err == nil {
		de.Signature = &SignedEvidence{Bundle: bundle, PredicateType: dataset.BOMPredicateType, Verified: true,
			Signer: key.Fingerprint(), SignerKey: key.Name, Role: role}
		return pass("signature", bundle, fmt.Sprintf("BOM signed by %s (role %s)", key.Name, role))
	}
	if len(ds.Bundles) == 0 {
		return fail("signature", de.BOM, "the BOM is unsigned (sign it with `lockstep data add --sign-with KEY`)")
	}
	if key, bundle, err := ds.Signature(e.st, e.pol.AllKeys()); err == nil {
		de.Signature = &SignedEvidence{Bundle: bundle, PredicateType: dataset.BOMPredicateType, Verified: true,
			Signer: key.Fingerprint(), SignerKey: key.Name, Role: e.pol.RoleOf(key)}
		return fail("signature", bundle, fmt.Sprintf("BOM %s, not by role %s", describe(*de.Signature), role))
	}
	return fail("signature", de.BOM, fmt.Sprintf("BOM not signed by role %s: %v", role, err))
}
