package capture

import (
	"bytes"
	"reflect"
	"strings"
	"testing"
)

func TestParseOSRelease(t *testing.T) {
	tests := []struct {
		name string
		text string
		want OSInfo
	}{
		{"debian", "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nNAME=\"Debian GNU/Linux\"\nVERSION_ID=\"12\"\nID=debian\n",
			OSInfo{ID: "debian", VersionID: "12", PrettyName: "Debian GNU/Linux 12 (bookworm)"}},
		{"alpine single quotes", "ID=alpine\nVERSION_ID=3.19.1\nPRETTY_NAME='Alpine Linux v3.19'\n",
			OSInfo{ID: "alpine", VersionID: "3.19.1", PrettyName: "Alpine Linux v3.19"}},
		{"escapes and comments", "# comment\n\nID=\"my\\\"os\"\nPRETTY_NAME=\"A \\$ B\"\n",
			OSInfo{ID: `my"os`, PrettyName: "A $ B"}},
		{"missing ID defaults to linux", "NAME=Foo\n", OSInfo{ID: "linux"}},
		{"CRLF and spaces", "ID=fedora\r\nVERSION_ID=40\r\n", OSInfo{ID: "fedora", VersionID: "40"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseOSRelease(strings.NewReader(tt.text))
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestParseCPUInfo(t *testing.T) {
	x86 := "processor\t: 0\nmodel name\t: Intel(R) Xeon(R)\ncpu MHz\t\t: 2599.998\nflags\t\t: sse2 fpu avx\n\nprocessor\t: 1\nmodel name\t: Intel(R) Xeon(R)\ncpu MHz\t\t: 2400.000\nflags\t\t: fpu avx sse2\n"
	arm := "processor\t: 0\nBogoMIPS\t: 48.00\nFeatures\t: fp asimd\nCPU part\t: 0xd0c\n\nprocessor\t: 1\nFeatures\t: fp asimd\n\nHardware\t: BCM2835\n"
	tests := []struct {
		name, text string
		want       CPU
	}{
		{"x86", x86, CPU{Model: "Intel(R) Xeon(R)", Cores: 2, Flags: []string{"avx", "fpu", "sse2"}}},
		{"arm", arm, CPU{Model: "BCM2835", Cores: 2, Flags: []string{"asimd", "fp"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseCPUInfo(strings.NewReader(tt.text))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestParseDpkgStatus(t *testing.T) {
	text := `Package: bash
Status: install ok installed
Priority: required
Architecture: amd64
Version: 5.2.15-2+b7
Description: GNU Bourne Again SHell
 Bash is an sh-compatible command language interpreter.
 .
 Package: fake-from-description

Package: oldpkg
Status: deinstall ok config-files
Architecture: amd64
Version: 1.0

Package: libc6
Status: install ok installed
Architecture: i386
Version: 2.36-9

Package: libc6
Status: install ok installed
Architecture: amd64
Version: 2.36-9
`
	got, err := parseDpkgStatus(strings.NewReader(text))
	if err != nil {
		t.Fatal(err)
	}
	want := []Package{{"bash", "5.2.15-2+b7", "amd64"}, {"libc6", "2.36-9", "amd64"}, {"libc6", "2.36-9", "i386"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v, want %+v", got, want)
	}
}

func TestParseApkInstalled(t *testing.T) {
	text := "C:Q1abc=\nP:musl\nV:1.2.4-r2\nA:x86_64\nT:the musl c library\n\nP:busybox\nV:1.36.1-r15\nA:x86_64\n"
	got, err := parseApkInstalled(strings.NewReader(text))
	if err != nil {
		t.Fatal(err)
	}
	want := []Package{{"busybox", "1.36.1-r15", "x86_64"}, {"musl", "1.2.4-r2", "x86_64"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v, want %+v", got, want)
	}
}

func TestParseRPMList(t *testing.T) {
	text := "bash\t0:5.2.26-3.fc40\tx86_64\ngpg-pubkey\t0:a15b79cc-63d04c2c\t(none)\nperl-Errno\t0:1.38-506.fc40\tx86_64\nkernel\t1:6.8.5-301.fc40\tx86_64\nbroken line\n"
	got, err := parseRPMList(strings.NewReader(text))
	if err != nil {
		t.Fatal(err)
	}
	want := []Package{{"bash", "5.2.26-3.fc40", "x86_64"}, {"gpg-pubkey", "a15b79cc-63d04c2c", ""}, {"kernel", "1:6.8.5-301.fc40", "x86_64"}, {"perl-Errno", "1.38-506.fc40", "x86_64"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v, want %+v", got, want)
	}
}

func TestParseDistMetadata(t *testing.T) {
	tests := []struct {
		name, text, wantName, wantVersion string
	}{
		{"dist-info", "Metadata-Version: 2.1\nName: scikit-learn\nVersion: 1.2.1\nSummary: x\n\nName: not-this\n", "scikit-learn", "1.2.1"},
		{"lower-case headers", "name: Foo\nversion: 0.1\n", "Foo", "0.1"},
		{"stops at body", "Name: only\n\nVersion: 9\n", "only", ""},
		{"continuation lines", "Name: a\nDescription: x\n Version: 2\nVersion: 1\n", "a", "1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, v, err := parseDistMetadata(strings.NewReader(tt.text))
			if err != nil || n != tt.wantName || v != tt.wantVersion {
				t.Errorf("got %q %q %v, want %q %q", n, v, err, tt.wantName, tt.wantVersion)
			}
		})
	}
}

func TestNormalizeName(t *testing.T) {
	for in, want := range map[string]string{"Scikit_Learn": "scikit-learn", "zope.interface": "zope-interface", "A-_.B": "a-b", "numpy": "numpy"} {
		if got := normalizeName(in); got != want {
			t.Errorf("normalizeName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestParseNvidiaSMI(t *testing.T) {
	text := "NVIDIA A100-SXM4-80GB, 535.129.03, 81920 MiB, GPU-1b2c3d\nTesla T4, 535.129.03, [N/A], GPU-ffff\n"
	got, err := parseNvidiaSMI(strings.NewReader(text))
	if err != nil {
		t.Fatal(err)
	}
	want := []GPU{{"NVIDIA A100-SXM4-80GB", "535.129.03", 81920 << 20, "GPU-1b2c3d"}, {"Tesla T4", "535.129.03", 0, "GPU-ffff"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v, want %+v", got, want)
	}
	if _, err := parseNvidiaSMI(strings.NewReader("x, y, lots, z\n")); err == nil {
		t.Error("a bad memory size was accepted")
	}
}

func TestScanGlibcVersion(t *testing.T) {
	banner := "GNU C Library (Debian GLIBC 2.36-9+deb12u14) stable release version 2.36.\n"
	tests := []struct {
		name string
		data []byte
		want string
	}{
		{"small", []byte("\x00\x7fELF" + banner), "2.36"},
		// The marker, then the version, straddle the 64 KiB read boundary.
		{"marker across chunks", append(bytes.Repeat([]byte{0}, 64<<10-strings.Index(banner, "release")-8), banner...), "2.36"},
		{"version across chunks", append(bytes.Repeat([]byte{0}, 64<<10-strings.Index(banner, "2.36.")-2), banner...), "2.36"},
		{"at the very end", append(bytes.Repeat([]byte{1}, 200<<10), "release version 2.41"...), "2.41"},
		{"none", bytes.Repeat([]byte("release version x"), 10000), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := scanGlibcVersion(bytes.NewReader(tt.data))
			if err != nil || got != tt.want {
				t.Errorf("got %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}

func TestEachLineCutsLongLines(t *testing.T) {
	long := strings.Repeat("x", 3*maxLine)
	var got []int
	err := eachLine(strings.NewReader("a\n"+long+"\nb"), func(line string) bool {
		got = append(got, len(line))
		return true
	})
	if err != nil || !reflect.DeepEqual(got, []int{1, maxLine, 1}) {
		t.Errorf("line lengths %v, %v; want [1 %d 1]", got, err, maxLine)
	}
}
