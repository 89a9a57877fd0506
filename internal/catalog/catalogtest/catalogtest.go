package catalogtest

import (
	"context"
	"testing"

	"lockstep.dev/lockstep/internal/catalog"
)

// Run runs the contract. fresh returns the URL of a new, empty database
// for one test; the suite opens it with catalog.OpenURL, so the
// implementation must be registered, and opens some databases more than
// once, as several processes would. Run closes what it opens.
func Run(t *testing.T, fresh func(t *testing.T) string) {
	for _, tc := range []struct {
		name string
		test func(*testing.T, catalog.Catalog)
	}{
		{"BeginRunRoundTrip", testBeginRunRoundTrip},
		{"BeginRunRejects", testBeginRunRejects},
		{"FinishRun", testFinishRun},
		{"SetRunStatus", testSetRunStatus},
		{"RunNotFound", testRunNotFound},
		{"RunsNewestFirst", testRunsNewestFirst},
		{"RunsWithOutputs", testRunsWithOutputs},
		{"ResolveRun", testResolveRun},
		{"ResolveLastInEmptyCatalog", testResolveLastInEmptyCatalog},
		{"PutTaskRoundTrip", testPutTaskRoundTrip},
		{"PutTaskReplacesOutputs", testPutTaskReplacesOutputs},
		{"PutTaskRejectsBadRecords", testPutTaskRejectsBadRecords},
		{"CacheLookup", testCacheLookup},
		{"BindNameIsImmutable", testBindNameIsImmutable},
		{"BindNameRejectsBadInput", testBindNameRejectsBadInput},
		{"Names", testNames},
		{"Attestations", testAttestations},
		{"PutAttestationRejectsBadRows", testPutAttestationRejectsBadRows},
		{"Roots", testRoots},
		{"Reset", testReset},
		{"DeleteRun", testDeleteRun},
		{"DeleteRunRemovesOutputs", testDeleteRunRemovesOutputs},
		{"ImportAdvisories", testImportAdvisories},
		{"ImportAdvisoriesRejectsBadInput", testImportAdvisoriesRejectsBadInput},
		{"Audits", testAudits},
	} {
		t.Run(tc.name, func(t *testing.T) { tc.test(t, Open(t, fresh(t))) })
	}
	for _, tc := range []struct {
		name string
		test func(*testing.T, string)
	}{
		{"ReopenKeepsRows", testReopenKeepsRows},
		{"OpenFreshConcurrently", testOpenFreshConcurrently},
		{"ConcurrentWriters", testConcurrentWriters},
		{"ReopenAppliesMigrationsOnce", testReopenAppliesMigrationsOnce},
		{"NewerSchemaFails", testNewerSchemaFails},
	} {
		t.Run(tc.name, func(t *testing.T) { tc.test(t, fresh(t)) })
	}
}

// Open opens the catalog at url with catalog.OpenURL and closes it when
// the test ends.
func Open(t testing.TB, url string) catalog.Catalog {
	t.Helper()
	c, err := catalog.OpenURL(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}
