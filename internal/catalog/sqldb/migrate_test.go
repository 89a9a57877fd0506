package sqldb

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"lockstep.dev/lockstep/internal/core"
)

var update = flag.Bool("update", false, "rewrite testdata/migrations.golden")

// TestReleasedMigrationsAreUnchanged fails when a migration file is edited:
// databases in the field already applied it, so a schema change must be a
// new numbered file. Adding one needs -update.
func TestReleasedMigrationsAreUnchanged(t *testing.T) {
	ms, err := migrations()
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, m := range ms {
		fmt.Fprintf(&b, "%s %s\n", m.name, core.DigestOf([]byte(m.sql)))
	}
	golden := filepath.Join("testdata", "migrations.golden")
	if *update {
		if err := os.WriteFile(golden, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if b.String() != string(want) {
		t.Errorf("migrations differ from %s:\n%s\nwant\n%s", golden, b.String(), want)
	}
}
