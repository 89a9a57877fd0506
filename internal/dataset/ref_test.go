package dataset

import (
	"errors"
	"testing"
)

func TestParseRef(t *testing.T) {
	tests := []struct {
		in      string
		name    string
		version string
		ok      bool
	}{
		{"housing@2017", "housing", "2017", true},
		{"iris.v2_clean-x@1.0.0+build.7", "iris.v2_clean-x", "1.0.0+build.7", true},
		{"mnist@RC1", "mnist", "RC1", true},
		{"housing", "", "", false},
		{"Housing@1", "", "", false},
		{"../etc@1", "", "", false},
		{"a/b@1", "", "", false},
		{"a@../1", "", "", false},
		{"a@1/2", "", "", false},
		{"a..b@1", "", "", false},
		{"a@1..2", "", "", false},
		{"a b@1", "", "", false},
		{"a@1 ", "", "", false},
		{"@1", "", "", false},
		{"a@", "", "", false},
		{"a@1@2", "", "", false},
		{"-a@1", "", "", false},
		{"a@-1", "", "", false},
	}
	for _, tt := range tests {
		r, err := ParseRef(tt.in)
		if tt.ok != (err == nil) {
			t.Errorf("ParseRef(%q) error = %v, want ok %v", tt.in, err, tt.ok)
			continue
		}
		if err != nil {
			if !errors.Is(err, ErrBadRef) {
				t.Errorf("ParseRef(%q) error %v does not wrap ErrBadRef", tt.in, err)
			}
			continue
		}
		if r.Name != tt.name || r.Version != tt.version || r.String() != tt.in {
			t.Errorf("ParseRef(%q) = %+v", tt.in, r)
		}
	}
}
