package cli

import "testing"

func TestClosest(t *testing.T) {
	cmds := []string{"check", "trace", "explain", "query", "mcp", "dashboard", "merge", "export", "demo", "version", "help"}
	tests := []struct{ in, want string }{
		{"explian", "explain"},
		{"expalin", "explain"},
		{"explain", "explain"},
		{"trcae", "trace"},
		{"tracee", "trace"},
		{"qeury", "query"},
		{"dashbord", "dashboard"},
		{"mrege", "merge"},
		{"mpc", "mcp"},
		{"exprot", "export"},
		{"verison", "version"},
		{"xyzzy", ""},
		{"kubernetes", ""},
		{"", ""},
	}
	for _, tt := range tests {
		if got := Closest(tt.in, cmds); got != tt.want {
			t.Errorf("Closest(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
}

func TestEditDistance(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"", "", 0},
		{"", "abc", 3},
		{"abc", "", 3},
		{"abc", "abc", 0},
		{"kitten", "sitting", 3},
		{"trace", "trcae", 2},
		{"flaw", "lawn", 2},
	}
	for _, tt := range tests {
		if got := editDistance(tt.a, tt.b); got != tt.want {
			t.Errorf("editDistance(%q, %q) = %d; want %d", tt.a, tt.b, got, tt.want)
		}
		if got := editDistance(tt.b, tt.a); got != tt.want {
			t.Errorf("editDistance(%q, %q) = %d; want %d (symmetry)", tt.b, tt.a, got, tt.want)
		}
	}
}
