package s3

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/smithy-go"

	"lockstep.dev/lockstep/internal/core"
	"lockstep.dev/lockstep/internal/store/blobio"
)

// fixURL says where a store URL is set.
const fixURL = "the store URL (store: in .lockstep/config.yaml, or LOCKSTEP_STORE)"

// explain turns err from operation op (on object d, or on the bucket when
// d is "") into one line that names the store and says what to fix. A
// missing object wraps blobio.ErrNotFound; a cancelled context keeps its
// error.
func (s *Store) explain(op string, d core.Digest, err error) error {
	what := op
	if d != "" {
		what += " object " + string(d)
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("store %s: %s: %w", s.name, what, contextErr(err))
	}
	code := ""
	if ae, ok := errOf[smithy.APIError](err); ok {
		code = ae.ErrorCode()
	}
	status := httpStatus(err)
	switch {
	case code == "NoSuchBucket" || d == "" && status == 404:
		return fmt.Errorf("store %s: bucket %s does not exist; create it or fix %s", s.name, s.bucket, fixURL)
	case code == "NoSuchKey" || code == "NotFound" || status == 404:
		return fmt.Errorf("%s in %s: %w", what, s.name, blobio.ErrNotFound)
	case status == 403 || code == "InvalidAccessKeyId" || code == "SignatureDoesNotMatch" || code == "AccessDenied":
		if code == "" {
			code = "403 Forbidden"
		}
		return fmt.Errorf("store %s: %s: access refused (%s); check the AWS credentials (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, AWS_PROFILE or ~/.aws/credentials) and that they may use bucket %s", s.name, what, code, s.bucket)
	case strings.Contains(err.Error(), "failed to retrieve credentials") || strings.Contains(err.Error(), "failed to refresh cached credentials"):
		return fmt.Errorf("store %s: %s: no AWS credentials found; set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE with ~/.aws/credentials", s.name, what)
	}
	if ne, ok := errOf[*net.OpError](err); ok {
		return fmt.Errorf("store %s: %s: cannot reach %s (%w); check that the service is up and the endpoint in %s", s.name, what, s.where, ne, fixURL)
	}
	return fmt.Errorf("store %s: %s: %w", s.name, what, err)
}

// contextErr returns the context error err wraps, so that the message
// stays short and errors.Is still matches.
func contextErr(err error) error {
	if errors.Is(err, context.Canceled) {
		return context.Canceled
	}
	return context.DeadlineExceeded
}

// httpStatus returns the HTTP status of a failed request, 0 if none.
func httpStatus(err error) int {
	if re, ok := errOf[*awshttp.ResponseError](err); ok {
		return re.HTTPStatusCode()
	}
	return 0
}
