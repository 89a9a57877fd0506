package scan

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCancelledScanStopsReading(t *testing.T) {
	path := filepath.Join(t.TempDir(), "rows.csv")
	os.WriteFile(path, []byte("a,b\n"+strings.Repeat("1,2\n", 1<<16)), 0o644)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := File(ctx, path, Options{}); !errors.Is(err, context.Canceled) {
		t.Fatalf("a cancelled scan: %v, want context.Canceled", err)
	}
}
