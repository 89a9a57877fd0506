package kubernetes

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// apiServer is a real kube-apiserver with its etcd, started for a test:
// the objects the backend makes are validated, admitted, stored and
// watched by the server Kubernetes runs. Nothing runs pods (no kubelet, no
// controllers); a test plays the Job controller's and kubelet's part
// through the API where it needs one.
type apiServer struct {
	kubeconfig string
}

// findBinary returns name from PATH or GOPATH/bin.
func findBinary(name string) string {
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	gopath, err := exec.Command("go", "env", "GOPATH").Output()
	if err == nil {
		p := filepath.Join(string(trimNL(gopath)), "bin", name)
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	return ""
}

func trimNL(b []byte) []byte {
	for len(b) > 0 && (b[len(b)-1] == '\n' || b[len(b)-1] == '\r') {
		b = b[:len(b)-1]
	}
	return b
}

// freePort returns a TCP port free on 127.0.0.1 a moment ago.
func freePort(t *testing.T) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// startAPIServer starts etcd and kube-apiserver for the test and returns
// a kubeconfig for a cluster admin. It skips when either binary is
// missing: CI installs both (scripts/kube-apiserver.sh).
func startAPIServer(t *testing.T) *apiServer {
	t.Helper()
	etcd, apiserver := findBinary("etcd"), findBinary("kube-apiserver")
	if etcd == "" || apiserver == "" {
		t.Skip("etcd or kube-apiserver is not installed here (Debian etcd-server; scripts/kube-apiserver.sh builds kube-apiserver from k8s.io/kubernetes into GOPATH/bin)")
	}
	dir := t.TempDir()
	etcdPort, peerPort, apiPort := freePort(t), freePort(t), freePort(t)
	etcdURL := "http://127.0.0.1:" + strconv.Itoa(etcdPort)
	start(t, dir, "etcd", etcd, "--data-dir", filepath.Join(dir, "etcd"),
		"--listen-client-urls", etcdURL, "--advertise-client-urls", etcdURL,
		"--listen-peer-urls", "http://127.0.0.1:"+strconv.Itoa(peerPort), "--unsafe-no-fsync")

	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	keyFile := filepath.Join(dir, "sa.key")
	writeFile(t, keyFile, pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)}))
	token := "lockstep-test-token"
	tokens := filepath.Join(dir, "tokens.csv")
	writeFile(t, tokens, []byte(token+",admin,admin,system:masters\n"))
	exited := start(t, dir, "kube-apiserver", apiserver,
		"--etcd-servers", etcdURL, "--bind-address", "127.0.0.1", "--secure-port", strconv.Itoa(apiPort),
		"--cert-dir", filepath.Join(dir, "certs"), "--token-auth-file", tokens, "--authorization-mode", "RBAC",
		"--service-account-issuer", "https://kubernetes.default.svc", "--service-account-key-file", keyFile,
		"--service-account-signing-key-file", keyFile, "--service-cluster-ip-range", "10.96.0.0/24",
		"--enable-admission-plugins", "NamespaceLifecycle,ServiceAccount,PodSecurity,ResourceQuota,LimitRanger",
		"--advertise-address", "127.0.0.1", "--endpoint-reconciler-type", "none")

	server := "https://127.0.0.1:" + strconv.Itoa(apiPort)
	waitReady(t, server, token, filepath.Join(dir, "kube-apiserver.log"), exited)
	kc := filepath.Join(dir, "kubeconfig")
	writeFile(t, kc, fmt.Appendf(nil, `apiVersion: v1
kind: Config
clusters:
- name: test
  cluster: {server: %q, insecure-skip-tls-verify: true}
users:
- name: admin
  user: {token: %q}
contexts:
- name: test
  context: {cluster: test, user: admin, namespace: lockstep-test}
current-context: test
`, server, token))
	return &apiServer{kubeconfig: kc}
}

func writeFile(t *testing.T, path string, b []byte) {
	t.Helper()
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// start runs a server for the rest of the test, its output in DIR/NAME.log;
// the channel is closed if it exits.
func start(t *testing.T, dir, name, bin string, args ...string) <-chan struct{} {
	t.Helper()
	log, err := os.Create(filepath.Join(dir, name+".log"))
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", name, err)
	}
	exited := make(chan struct{})
	go func() {
		cmd.Wait()
		close(exited)
	}()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-exited
		log.Close()
	})
	return exited
}

// waitReady polls /readyz until the server answers ok, up to two
// minutes, failing at once if it exits.
func waitReady(t *testing.T, server, token, logFile string, exited <-chan struct{}) {
	t.Helper()
	client := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}}
	for end := time.Now().Add(2 * time.Minute); time.Now().Before(end) && !closed(exited); time.Sleep(250 * time.Millisecond) {
		req, _ := http.NewRequest("GET", server+"/readyz", nil)
		req.Header.Set("Authorization", "Bearer "+token)
		if resp, err := client.Do(req); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
	}
	log, _ := os.ReadFile(logFile)
	if len(log) > 4000 {
		log = log[len(log)-4000:]
	}
	t.Fatalf("kube-apiserver was not ready (exited: %v) within 2 minutes; its log ends:\n%s", closed(exited), log)
}

func closed(c <-chan struct{}) bool {
	select {
	case <-c:
		return true
	default:
		return false
	}
}
