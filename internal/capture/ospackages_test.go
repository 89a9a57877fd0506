package capture

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"lockstep.dev/lockstep/internal/core"
)

// useDBs points readOSPackages at test databases for one test.
func useDBs(t *testing.T, dbs []packageDB) {
	saved := packageDBs
	packageDBs = dbs
	osPackageCache.Lock()
	osPackageCache.m = map[string]cachedPackages{}
	osPackageCache.Unlock()
	t.Cleanup(func() { packageDBs = saved })
}

func TestReadOSPackagesNoticesChanges(t *testing.T) {
	status := filepath.Join(t.TempDir(), "status")
	stanza := func(name, version string) string {
		return "Package: " + name + "\nStatus: install ok installed\nArchitecture: amd64\nVersion: " + version + "\n\n"
	}
	if err := os.WriteFile(status, []byte(stanza("bash", "5.2")), 0o644); err != nil {
		t.Fatal(err)
	}
	useDBs(t, []packageDB{{"apk", filepath.Join(t.TempDir(), "missing"), parseFile(parseApkInstalled)}, {"dpkg", status, parseFile(parseDpkgStatus)}})
	set, err := readOSPackages(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := &PackageSet{Manager: "dpkg", Packages: []Package{{"bash", "5.2", "amd64"}}}
	if set.Manager != want.Manager || !reflect.DeepEqual(set.Packages, want.Packages) {
		t.Fatalf("got %+v, want %+v", set, want)
	}
	if err := os.WriteFile(status, []byte(stanza("bash", "5.2")+stanza("curl", "7.88")), 0o644); err != nil {
		t.Fatal(err)
	}
	set, err = readOSPackages(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(set.Packages) != 2 || set.Packages[1].Name != "curl" {
		t.Errorf("after installing curl: %+v", set.Packages)
	}
}

// The package set is read once and shared by every environment; its
// encoding, made once, must be exactly that of an unshared set with the
// same packages, or the environment digests (and so every cache key)
// would change.
func TestSharedPackageSetEncodesAsAPlainOne(t *testing.T) {
	status := filepath.Join(t.TempDir(), "status")
	db := "Package: app\nStatus: install ok installed\nArchitecture: amd64\nVersion: 1<2&3\nDepends: libc6 (>= 2.36)\n\n" +
		"Package: libc6\nStatus: install ok installed\nArchitecture: amd64\nVersion: 2.36-9\n\n"
	if err := os.WriteFile(status, []byte(db), 0o644); err != nil {
		t.Fatal(err)
	}
	useDBs(t, []packageDB{{"dpkg", status, parseFile(parseDpkgStatus)}})
	shared, err := readOSPackages(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if got := shared.Depends["app"]; !reflect.DeepEqual(got, []string{"libc6"}) {
		t.Fatalf("Depends of app = %v, want [libc6]", got)
	}
	plain := &PackageSet{Manager: shared.Manager, Packages: shared.Packages, Depends: shared.Depends}
	for i := 0; i < 2; i++ { // the second encoding is the remembered one
		a, err := core.CanonicalJSON(&Environment{Type: EnvironmentType, OSPackages: shared})
		if err != nil {
			t.Fatal(err)
		}
		b, err := core.CanonicalJSON(&Environment{Type: EnvironmentType, OSPackages: plain})
		if err != nil {
			t.Fatal(err)
		}
		if string(a) != string(b) {
			t.Fatalf("shared set encodes as\n%s\nan unshared one as\n%s", a, b)
		}
		if !strings.Contains(string(a), `"version":"1<2&3"`) {
			t.Fatalf("encoding escapes HTML characters: %s", a)
		}
	}
	again, err := readOSPackages(context.Background())
	if err != nil || again != shared {
		t.Fatalf("an unchanged database gave a new set (%v)", err)
	}
}

func TestReadOSPackagesRPM(t *testing.T) {
	bin := t.TempDir()
	script := "#!/bin/sh\nprintf 'bash\\t0:5.2.26-3.fc40\\tx86_64\\nkernel-core\\t1:6.8.5-301.fc40\\tx86_64\\n'\n"
	if err := os.WriteFile(filepath.Join(bin, "rpm"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", bin)
	useDBs(t, []packageDB{{"rpm", bin, listRPM}})
	set, err := readOSPackages(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := &PackageSet{Manager: "rpm", Packages: []Package{{"bash", "5.2.26-3.fc40", "x86_64"}, {"kernel-core", "1:6.8.5-301.fc40", "x86_64"}}}
	if set.Manager != want.Manager || !reflect.DeepEqual(set.Packages, want.Packages) || set.Depends != nil {
		t.Errorf("got %+v, want %+v", set, want)
	}
}

func TestReadOSPackagesNone(t *testing.T) {
	useDBs(t, []packageDB{{"dpkg", filepath.Join(t.TempDir(), "status"), parseFile(parseDpkgStatus)}})
	if set, err := readOSPackages(context.Background()); set != nil || err != nil {
		t.Errorf("no package database: %+v, %v; want nil, nil", set, err)
	}
}
