package policy

import (
	"context"
	"fmt"
	"sort"

	"github.com/open-policy-agent/opa/v1/rego"
)

// RegoQuery is the query evaluated over a policy's Rego files: the set (or
// array) of strings `deny` in package `lockstep`. Each message fails the
// artifact.
const RegoQuery = "data.lockstep.deny"

// compileRego parses and compiles the modules, ready to evaluate.
func compileRego(mods []RegoModule) (*rego.PreparedEvalQuery, error) {
	opts := []func(*rego.Rego){rego.Query(RegoQuery)}
	for _, m := range mods {
		opts = append(opts, rego.Module(m.Path, m.Source))
	}
	pq, err := rego.New(opts...).PrepareForEval(context.Background())
	if err != nil {
		return nil, fmt.Errorf("compile rego: %w", err)
	}
	return &pq, nil
}

// regoDenials evaluates the policy's Rego over the evidence document and
// returns the deny messages, sorted.
func (p *Policy) regoDenials(ctx context.Context, doc map[string]any) ([]string, error) {
	p.regoOnce.Do(func() { p.regoQuery, p.regoErr = compileRego(p.Rego) })
	if p.regoErr != nil {
		return nil, p.regoErr
	}
	rs, err := p.regoQuery.Eval(ctx, rego.EvalInput(doc))
	if err != nil {
		return nil, fmt.Errorf("evaluate %s: %w", RegoQuery, err)
	}
	var msgs []string
	for _, r := range rs {
		for _, e := range r.Expressions {
			vals, ok := e.Value.([]any)
			if !ok {
				return nil, fmt.Errorf("%s is %T, want a set of strings", RegoQuery, e.Value)
			}
			for _, v := range vals {
				msgs = append(msgs, fmt.Sprint(v))
			}
		}
	}
	sort.Strings(msgs)
	return msgs, nil
}
