package dataset

import (
	"errors"
	"strings"
	"testing"
)

func TestParseCard(t *testing.T) {
	tests := []struct {
		name    string
		yaml    string
		wantErr string
		check   func(*testing.T, *Card)
	}{
		{name: "full", yaml: `motivation: predict prices
composition: 20640 rows of census blocks
collection_process: 1990 US census
preprocessing: none
intended_uses: [teaching, benchmarks]
prohibited_uses: lending decisions
personal_data: none, aggregated by block
maintenance: frozen
owners: [data-team]
`, check: func(t *testing.T, c *Card) {
			if len(c.Answers()) != 8 || c.IntendedUses[1] != "benchmarks" || c.Owners[0] != "data-team" {
				t.Fatalf("card = %+v", c)
			}
			if a := c.Answers()[4]; a.Field != "intended_uses" || a.Text != "teaching\nbenchmarks" {
				t.Fatalf("answer 4 = %+v", a)
			}
		}},
		{name: "scalar uses", yaml: "intended_uses: teaching\n", check: func(t *testing.T, c *Card) {
			if len(c.IntendedUses) != 1 {
				t.Fatalf("uses = %v", c.IntendedUses)
			}
		}},
		{name: "unknown field", yaml: "motivation: x\nmotivaton: y\n", wantErr: "line 2"},
		{name: "empty", yaml: "", wantErr: "empty"},
		{name: "no answers", yaml: "motivation: ''\n", wantErr: "no answers"},
		{name: "not a mapping", yaml: "- a\n- b\n", wantErr: "card.yaml"},
		{name: "nested uses", yaml: "intended_uses: {a: b}\n", wantErr: "line 1"},
		{name: "blank owner", yaml: "motivation: x\nowners: ['']\n", wantErr: "owners[0]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := ParseCard("card.yaml", []byte(tt.yaml))
			if tt.wantErr != "" {
				if err == nil || !errors.Is(err, ErrBadCard) || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want ErrBadCard mentioning %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, c)
		})
	}
}

func FuzzParseCard(f *testing.F) {
	f.Add([]byte("motivation: x\nintended_uses: [a, b]\nowners: [me]\n"))
	f.Add([]byte("composition: |\n  rows\n"))
	f.Add([]byte("- 1\n"))
	f.Add([]byte("&a [*a]"))
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := ParseCard("fuzz.yaml", b)
		if err != nil {
			if !errors.Is(err, ErrBadCard) {
				t.Fatalf("error does not wrap ErrBadCard: %v", err)
			}
			return
		}
		if len(c.Answers()) == 0 {
			t.Fatal("accepted a card without answers")
		}
	})
}
