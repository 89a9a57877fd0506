package server

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"

	"lockstep.dev/lockstep/internal/core"
)

// maxReviewSize bounds an AdmissionReview body (the API server sends at
// most a few MiB).
const maxReviewSize = 8 << 20

// ServeHTTP decodes an AdmissionReview, admits or denies its request and
// writes the review back with the response.
func (w *Webhook) ServeHTTP(rw http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		http.Error(rw, "POST an admission.k8s.io/v1 AdmissionReview", http.StatusMethodNotAllowed)
		return
	}
	if r.ContentLength > maxReviewSize {
		http.Error(rw, (&core.TooLargeError{What: "the AdmissionReview", Limit: maxReviewSize}).Error(), http.StatusRequestEntityTooLarge)
		return
	}
	body, err := core.ReadLimited(r.Body, maxReviewSize, "the AdmissionReview")
	if errors.Is(err, core.ErrTooLarge) {
		http.Error(rw, err.Error(), http.StatusRequestEntityTooLarge)
		return
	}
	if err != nil {
		http.Error(rw, err.Error(), http.StatusBadRequest)
		return
	}
	var rev AdmissionReview
	if err := json.Unmarshal(body, &rev); err != nil {
		http.Error(rw, "decode AdmissionReview: "+err.Error(), http.StatusBadRequest)
		return
	}
	if rev.Request == nil {
		http.Error(rw, "AdmissionReview has no request", http.StatusBadRequest)
		return
	}
	if rev.APIVersion != ReviewAPIVersion || rev.Kind != ReviewKind {
		http.Error(rw, fmt.Sprintf("want apiVersion %s kind %s, got %s %s", ReviewAPIVersion, ReviewKind, core.Excerpt(rev.APIVersion), core.Excerpt(rev.Kind)), http.StatusBadRequest)
		return
	}
	out := AdmissionReview{APIVersion: ReviewAPIVersion, Kind: ReviewKind, Response: w.Admit(r.Context(), rev.Request)}
	rw.Header().Set("Content-Type", "application/json")
	json.NewEncoder(rw).Encode(out)
}

// Handler routes /validate to the webhook and /healthz to a liveness check.
func (w *Webhook) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/validate", w)
	mux.HandleFunc("/healthz", func(rw http.ResponseWriter, r *http.Request) { io.WriteString(rw, "ok\n") })
	return mux
}

// ServeTLS serves h over HTTPS on ln with the certificate pair until ctx
// ends, then shuts down gracefully.
func ServeTLS(ctx context.Context, ln net.Listener, h http.Handler, certFile, keyFile string) error {
	cert, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		return fmt.Errorf("load TLS certificate %s and key %s: %w", certFile, keyFile, err)
	}
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		TLSConfig:         &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12},
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.ServeTLS(ln, "", "") }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
		sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := srv.Shutdown(sctx); err != nil {
			return err
		}
		if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
			return err
		}
		return nil
	}
}
