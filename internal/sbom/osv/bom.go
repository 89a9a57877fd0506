package osv

import (
	"net/url"
	"strings"

	cdx "github.com/CycloneDX/cyclonedx-go"

	"lockstep.dev/lockstep/internal/core"
)

// PURL is the package URL of an installed package: pkg:pypi/name@version,
// or pkg:deb/debian/name@version?distro=debian-12 for a distribution's.
func PURL(ecosystem, name, version string) string {
	base, rel, _ := strings.Cut(ecosystem, ":")
	if base == "PyPI" {
		return "pkg:pypi/" + url.PathEscape(NormalizeName(base, name)) + "@" + url.PathEscape(version)
	}
	distro := strings.ToLower(base)
	p := "pkg:deb/" + distro + "/" + url.PathEscape(name) + "@" + url.PathEscape(version)
	if rel != "" {
		p += "?distro=" + url.QueryEscape(distro+"-"+rel)
	}
	return p
}

// AddToBOM records the report in a CycloneDX BOM: one vulnerability per
// advisory, affecting the packages (by package URL) it was found in,
// rated as the report rates it; undecided findings are "in_triage";
// malicious packages carry the property lockstep:malicious. The report's
// digest becomes the metadata property lockstep:dependency-audit.
func AddToBOM(bom *cdx.BOM, rep *Report, digest core.Digest) {
	if bom.Metadata != nil {
		props := append(derefProps(bom.Metadata.Properties), cdx.Property{Name: "lockstep:dependency-audit", Value: string(digest)})
		bom.Metadata.Properties = &props
	}
	index := map[string]int{}
	var vulns []cdx.Vulnerability
	for _, s := range rep.Steps {
		for _, f := range s.Findings {
			i, ok := index[f.ID]
			if !ok {
				i = len(vulns)
				index[f.ID] = i
				vulns = append(vulns, newVulnerability(f))
			}
			addAffects(&vulns[i], f)
		}
	}
	if len(vulns) > 0 {
		bom.Vulnerabilities = &vulns
	}
}

// newVulnerability is the CycloneDX form of a finding's advisory.
func newVulnerability(f Finding) cdx.Vulnerability {
	v := cdx.Vulnerability{BOMRef: "vuln:" + f.ID, ID: f.ID, Source: &cdx.Source{Name: "OSV", URL: "https://osv.dev/vulnerability/" + url.PathEscape(f.ID)},
		Description: f.Summary}
	rating := cdx.VulnerabilityRating{Severity: cdx.Severity(f.Severity), Vector: f.Vector}
	switch {
	case strings.HasPrefix(f.Vector, "CVSS:3.1/"):
		rating.Method = cdx.ScoringMethodCVSSv31
	case strings.HasPrefix(f.Vector, "CVSS:3.0/"):
		rating.Method = cdx.ScoringMethodCVSSv3
	case strings.HasPrefix(f.Vector, "CVSS:4.0/"):
		rating.Method = cdx.ScoringMethodCVSSv4
	}
	if f.Score > 0 {
		score := f.Score
		rating.Score = &score
	}
	v.Ratings = &[]cdx.VulnerabilityRating{rating}
	if len(f.Aliases) > 0 {
		refs := make([]cdx.VulnerabilityReference, 0, len(f.Aliases))
		for _, a := range f.Aliases {
			refs = append(refs, cdx.VulnerabilityReference{ID: a, Source: &cdx.Source{Name: "OSV", URL: "https://osv.dev/vulnerability/" + url.PathEscape(a)}})
		}
		v.References = &refs
	}
	if len(f.Fixed) > 0 {
		v.Recommendation = "Upgrade " + f.Package + " to " + strings.Join(f.Fixed, " or ") + " or later."
	}
	if f.Malicious {
		v.Properties = &[]cdx.Property{{Name: "lockstep:malicious", Value: "true"}}
		v.Recommendation = "Remove " + f.Package + ": it is a known malicious package."
	}
	if f.Undecided != "" {
		v.Analysis = &cdx.VulnerabilityAnalysis{State: cdx.IASInTriage, Detail: f.Undecided}
	}
	return v
}

// addAffects adds the finding's package to v, once.
func addAffects(v *cdx.Vulnerability, f Finding) {
	ref := PURL(f.Ecosystem, f.Package, f.Version)
	aff := derefAffects(v.Affects)
	for _, a := range aff {
		if a.Ref == ref {
			return
		}
	}
	status := cdx.VulnerabilityStatusAffected
	if f.Undecided != "" {
		status = cdx.VulnerabilityStatusUnknown
	}
	aff = append(aff, cdx.Affects{Ref: ref, Range: &[]cdx.AffectedVersions{{Version: f.Version, Status: status}}})
	v.Affects = &aff
}

func derefProps(p *[]cdx.Property) []cdx.Property {
	if p == nil {
		return nil
	}
	return *p
}

func derefAffects(p *[]cdx.Affects) []cdx.Affects {
	if p == nil {
		return nil
	}
	return *p
}
